namespace Sluice.Telemetry;

public enum TracingExporter
{
    None,
    Otlp,
    Zipkin,
}
