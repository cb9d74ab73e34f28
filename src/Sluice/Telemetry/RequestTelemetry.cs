using System.Diagnostics;

namespace Sluice.Telemetry;

/// <summary>
/// What one request's telemetry needs between its start and its end: when it started, where it
/// was routed, when the upstream or function call began, and its spans when tracing is on.
/// </summary>
internal sealed class RequestTelemetry(long startTimestamp, RequestLabels labels)
{
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Where the request went; starts as "unrouted" and is narrowed as routing proceeds.</summary>
    public RequestLabels Labels { get; set; } = labels;

    /// <summary>0 until the upstream or function call begins.</summary>
    public long CallTimestamp { get; set; }

    public Activity? ServerSpan { get; set; }

    public Activity? ClientSpan { get; set; }

    /// <summary>Counts response bytes when the access log wants them.</summary>
    public CountingStream? ResponseBody { get; set; }
}
