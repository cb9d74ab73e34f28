using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Telemetry;

/// <summary>
/// One server's telemetry: Prometheus metrics (always), and when configured, tracing, access logs
/// and StatsD. The data plane touches it twice per request, <see cref="Start"/> and
/// <see cref="Complete"/>, plus <see cref="BeginCall"/> when it calls an upstream or function;
/// everything else is read from the request at its end.
/// </summary>
internal sealed class GatewayTelemetry : IAsyncDisposable
{
    private readonly GatewayTracing? _tracing;
    private readonly AccessLogWriter? _accessLog;
    private readonly StatsdExporter? _statsd;
    private readonly bool _countBytes;

    public GatewayTelemetry(TracingOptions tracing, AccessLogOptions accessLog, StatsdOptions statsd, ILoggerFactory loggerFactory)
    {
        if (tracing.Exporter != TracingExporter.None)
        {
            _tracing = new GatewayTracing(tracing);
        }
        if (accessLog.Path is not null)
        {
            _accessLog = new AccessLogWriter(accessLog, Metrics.AccessLogDropped, loggerFactory.CreateLogger<AccessLogWriter>());
            _countBytes = _accessLog.WantsBytesSent;
        }
        if (statsd.Host is not null)
        {
            _statsd = new StatsdExporter(statsd, Metrics.StatsdDropped, loggerFactory.CreateLogger<StatsdExporter>());
        }
    }

    public GatewayMetrics Metrics { get; } = new();

    /// <summary>Labels of a request no virtual service serves: all empty, one fixed series.</summary>
    public RequestLabels Unrouted { get; } = new("", "", "", "");

    public RequestTelemetry Start(HttpContext context)
    {
        Metrics.InFlight.Inc();
        var request = RequestTelemetry.Start(context, Stopwatch.GetTimestamp(), Unrouted);
        if (_tracing is not null)
        {
            request.ServerSpan = GatewayTracing.StartServer(context);
        }
        if (_countBytes)
        {
            var counting = new CountingStream(context.Response.Body);
            context.Response.Body = counting;
            request.ResponseBody = counting;
        }
        return request;
    }

    /// <summary>The upstream or function call begins (after routing, before the first attempt).</summary>
    public void BeginCall(RequestTelemetry request)
    {
        request.CallTimestamp = Stopwatch.GetTimestamp();
        if (request.ServerSpan is not null)
        {
            request.ClientSpan = GatewayTracing.StartClient(request.Labels);
        }
    }

    /// <summary>The response has ended (<paramref name="failed"/>: with an unhandled exception, which Kestrel answers 500).</summary>
    public void Complete(HttpContext context, RequestTelemetry request, bool failed)
    {
        var end = Stopwatch.GetTimestamp();
        var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var labels = request.Labels;
        var duration = Stopwatch.GetElapsedTime(request.StartTimestamp, end);
        var upstream = request.CallTimestamp == 0 ? (TimeSpan?)null : Stopwatch.GetElapsedTime(request.CallTimestamp, end);
        // Set once a route matched; its endpoint only by the forwarding loop.
        var state = upstream is null ? null : context.Features.Get<RouteContext>();
        var retries = state?.Retries ?? 0;

        var bound = Metrics.Bind(labels);
        var statusClass = GatewayMetrics.StatusClassIndex(status);
        bound.RequestsByStatusClass[statusClass].Inc();
        bound.Duration.Observe(duration.TotalSeconds);
        if (upstream is { } call)
        {
            bound.UpstreamDuration.Observe(call.TotalSeconds);
        }
        if (retries > 0)
        {
            bound.Retries.Inc(retries);
        }
        Metrics.InFlight.Dec();

        if (_tracing is not null)
        {
            GatewayTracing.Stop(request, status, state?.Endpoint, retries);
        }
        _statsd?.Record(new StatsdSample(labels, statusClass, duration.TotalMilliseconds, upstream?.TotalMilliseconds ?? double.NaN, retries, true));
        if (_accessLog is not null)
        {
            var httpRequest = context.Request;
            _accessLog.Write(new AccessLogEntry
            {
                Time = DateTime.UtcNow - duration,
                Method = httpRequest.Method,
                Path = httpRequest.Path.Value ?? "/",
                Query = httpRequest.QueryString.Value,
                Protocol = httpRequest.Protocol,
                Status = status,
                BytesReceived = httpRequest.ContentLength,
                BytesSent = request.ResponseBody?.BytesWritten,
                DurationMs = duration.TotalMilliseconds,
                UpstreamMs = upstream?.TotalMilliseconds,
                Labels = labels,
                Endpoint = state?.Endpoint,
                Retries = retries,
                TraceId = _accessLog.WantsTraceId ? TraceIdOf(request, httpRequest) : null,
                Client = context.Connection.RemoteIpAddress?.ToString(),
                UserAgent = httpRequest.Headers.UserAgent,
                Error = context.Features.Get<ISluiceErrorFeature>()?.Error.Name,
            });
        }
    }

    public void ReloadApplied(TimeSpan duration, Sluice.Plan.ProxyPlan plan, IEnumerable<(ConfigKind Kind, StatusState State)> objects)
    {
        Metrics.Retain(plan);
        Metrics.ReloadSuccesses.Inc();
        Metrics.ReloadDuration.Observe(duration.TotalSeconds);
        Metrics.LastReloadSuccess.SetToCurrentTimeUtc();
        Metrics.SetObjects(objects);
        _statsd?.Record(new StatsdSample(null, 0, duration.TotalMilliseconds, double.NaN, 0, true));
    }

    public void ReloadFailed(TimeSpan duration)
    {
        Metrics.ReloadFailures.Inc();
        Metrics.ReloadDuration.Observe(duration.TotalSeconds);
        _statsd?.Record(new StatsdSample(null, 0, duration.TotalMilliseconds, double.NaN, 0, false));
    }

    public async ValueTask DisposeAsync()
    {
        _tracing?.Dispose();
        if (_accessLog is not null)
        {
            await _accessLog.DisposeAsync();
        }
        if (_statsd is not null)
        {
            await _statsd.DisposeAsync();
        }
    }

    /// <summary>The trace the request belongs to: the gateway's span, else the client's W3C traceparent.</summary>
    private static string? TraceIdOf(RequestTelemetry request, HttpRequest httpRequest)
    {
        if (request.ServerSpan is { } span)
        {
            return span.TraceId.ToHexString();
        }
        var traceparent = httpRequest.Headers["traceparent"].ToString();
        return traceparent.Length >= 55 && traceparent[2] == '-' ? traceparent.Substring(3, 32) : null;
    }
}
