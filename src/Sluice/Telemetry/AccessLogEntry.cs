namespace Sluice.Telemetry;

/// <summary>One request's access log facts, captured at its end and written later, off the request path.</summary>
internal sealed class AccessLogEntry
{
    public required DateTime Time { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public string? Query { get; init; }

    public required string Protocol { get; init; }

    public required int Status { get; init; }

    public long? BytesReceived { get; init; }

    public long? BytesSent { get; init; }

    public required double DurationMs { get; init; }

    public double? UpstreamMs { get; init; }

    public required RequestLabels Labels { get; init; }

    public string? Endpoint { get; init; }

    public int Retries { get; init; }

    public string? TraceId { get; init; }

    public string? Client { get; init; }

    public string? UserAgent { get; init; }

    public string? Error { get; init; }
}
