namespace Sluice.Telemetry;

/// <summary>
/// OpenTelemetry tracing. Off (<see cref="TracingExporter.None"/>) by default, and then no span is
/// ever created. Where a value is null the exporter reads the standard <c>OTEL_*</c> variables.
/// </summary>
public sealed record TracingOptions
{
    public TracingExporter Exporter { get; init; } = TracingExporter.None;

    /// <summary>Collector URL; null = <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> / <c>OTEL_EXPORTER_ZIPKIN_ENDPOINT</c> or the exporter's default.</summary>
    public Uri? Endpoint { get; init; }

    public OtlpTransport OtlpTransport { get; init; } = OtlpTransport.Default;

    /// <summary>Share of new traces recorded, 0..1; a request that arrives with a sampling decision keeps it.</summary>
    public double SampleRatio { get; init; } = 1.0;

    /// <summary>Reported as <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public string ServiceName { get; init; } = "sluice";
}
