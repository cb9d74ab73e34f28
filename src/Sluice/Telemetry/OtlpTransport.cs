namespace Sluice.Telemetry;

/// <summary>OTLP over gRPC or over HTTP with protobuf bodies (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>).</summary>
public enum OtlpTransport
{
    /// <summary>Whatever <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> says; gRPC when unset.</summary>
    Default,
    Grpc,
    HttpProtobuf,
}
