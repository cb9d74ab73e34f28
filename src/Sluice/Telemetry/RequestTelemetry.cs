using System.Diagnostics;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Sluice.Telemetry;

/// <summary>
/// What one request's telemetry needs between its start and its end: when it started, where it
/// was routed, when the upstream or function call began, and its spans when tracing is on.
/// </summary>
/// <remarks>
/// Not allocated per request: one instance lives in the connection's persistent state
/// (<see cref="IPersistentStateFeature"/>: Kestrel keeps it across the requests of an HTTP/1.1
/// connection and with each pooled HTTP/2 stream) and is reset by <see cref="Start"/>. Requests
/// on one connection (or stream) never overlap, and nothing reads the instance after
/// <see cref="GatewayTelemetry.Complete"/>: the access log, StatsD and tracing copy what they keep.
/// </remarks>
internal sealed class RequestTelemetry
{
    private static readonly object StateKey = new();

    private RequestTelemetry()
    {
    }

    /// <summary>The connection's instance (a new one only for its first request), reset for this request.</summary>
    public static RequestTelemetry Start(HttpContext context, long startTimestamp, RequestLabels labels)
    {
        RequestTelemetry request;
        var persistent = context.Features.Get<IPersistentStateFeature>()?.State;
        if (persistent is null)
        {
            request = new RequestTelemetry();
        }
        else if (persistent.TryGetValue(StateKey, out var kept) && kept is RequestTelemetry reused)
        {
            request = reused;
        }
        else
        {
            request = new RequestTelemetry();
            persistent[StateKey] = request;
        }
        request.StartTimestamp = startTimestamp;
        request.Labels = labels;
        request.CallTimestamp = 0;
        request.ServerSpan = null;
        request.ClientSpan = null;
        request.ResponseBody = null;
        return request;
    }

    public long StartTimestamp { get; private set; }

    /// <summary>Where the request went; starts as "unrouted" and is narrowed as routing proceeds.</summary>
    public RequestLabels Labels { get; set; } = null!;

    /// <summary>0 until the upstream or function call begins.</summary>
    public long CallTimestamp { get; set; }

    public Activity? ServerSpan { get; set; }

    public Activity? ClientSpan { get; set; }

    /// <summary>Counts response bytes when the access log wants them.</summary>
    public CountingStream? ResponseBody { get; set; }
}
