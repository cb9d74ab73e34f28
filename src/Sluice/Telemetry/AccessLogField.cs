namespace Sluice.Telemetry;

/// <summary>The fields an access log line can carry, in the order they are written.</summary>
internal enum AccessLogField
{
    Time,
    Method,
    Path,
    Query,
    Protocol,
    Status,
    BytesReceived,
    BytesSent,
    DurationMs,
    UpstreamMs,
    VirtualService,
    Route,
    Upstream,
    Function,
    Endpoint,
    Retries,
    TraceId,
    Client,
    UserAgent,
    Error,
}
