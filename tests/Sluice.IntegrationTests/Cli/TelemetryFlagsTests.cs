using Sluice.Api;
using Sluice.Cli;
using Sluice.Cli.Commands;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Cli;

/// <summary>The observability flags of <c>sluice run</c>, their SLUICE_* and OTEL_* fallbacks, and their errors.</summary>
public sealed class TelemetryFlagsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Defaults_are_all_off()
    {
        var options = RunCommand.ParseOptions([], NoEnvironment);
        Assert.Null(options.AccessLog.Path);
        Assert.Equal(TracingExporter.None, options.Tracing.Exporter);
        Assert.Null(options.Statsd.Host);
    }

    [Fact]
    public void Flags_are_read()
    {
        var options = RunCommand.ParseOptions(
            ["--access-log", "-", "--access-log-fields", "time, status,route", "--tracing", "otlp", "--tracing-endpoint", "http://collector:4318",
             "--tracing-protocol", "http/protobuf", "--tracing-sample-ratio", "0.25", "--statsd", "statsd.local:9125", "--statsd-prefix", "edge."],
            NoEnvironment);

        Assert.Equal(new AccessLogOptions { Path = "-", Fields = new ValueList<string>(["time", "status", "route"]) }, options.AccessLog);
        Assert.Equal(new TracingOptions
        {
            Exporter = TracingExporter.Otlp,
            Endpoint = new Uri("http://collector:4318"),
            OtlpTransport = OtlpTransport.HttpProtobuf,
            SampleRatio = 0.25,
        }, options.Tracing);
        Assert.Equal(new StatsdOptions { Host = "statsd.local", Port = 9125, Prefix = "edge" }, options.Statsd);
    }

    [Fact]
    public void Sluice_variables_then_OTEL_variables_are_fallbacks()
    {
        var environment = new Dictionary<string, string>
        {
            ["SLUICE_ACCESS_LOG"] = "/var/log/sluice.log",
            ["SLUICE_STATSD"] = "[::1]:8125",
            ["OTEL_TRACES_EXPORTER"] = "zipkin",
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.5",
        };
        var options = RunCommand.ParseOptions([], environment.GetValueOrDefault);
        Assert.Equal("/var/log/sluice.log", options.AccessLog.Path);
        Assert.Equal(("::1", 8125), (options.Statsd.Host, options.Statsd.Port));
        Assert.Equal(TracingExporter.Zipkin, options.Tracing.Exporter);
        Assert.Equal(0.5, options.Tracing.SampleRatio);

        environment["SLUICE_TRACING"] = "none";
        Assert.Equal(TracingExporter.None, RunCommand.ParseOptions([], environment.GetValueOrDefault).Tracing.Exporter);
        Assert.Equal(TracingExporter.Otlp, RunCommand.ParseOptions(["--tracing", "otlp"], environment.GetValueOrDefault).Tracing.Exporter);
    }

    [Theory]
    [InlineData("--tracing", "jaeger", "--tracing: 'jaeger' is not a trace exporter (none, otlp or zipkin)")]
    [InlineData("--tracing-sample-ratio", "2", "--tracing-sample-ratio: '2' is not a sampling ratio (a number from 0 to 1)")]
    [InlineData("--tracing-protocol", "udp", "--tracing-protocol: 'udp' is not an OTLP protocol (grpc or http/protobuf)")]
    [InlineData("--tracing-endpoint", "collector:4317", "--tracing-endpoint: 'collector:4317' is not an http(s) URL (e.g. http://collector:4317)")]
    [InlineData("--statsd", "statsd", "--statsd: 'statsd' is not HOST:PORT (e.g. 127.0.0.1:8125)")]
    [InlineData("--access-log-fields", "status,latency", "--access-log-fields: access log field 'latency' is unknown; known fields: time, method,")]
    public void Bad_values_are_refused_naming_the_flag(string flag, string value, string message)
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions([flag, value], NoEnvironment));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_bad_OTEL_variable_is_named()
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions([], name => name == "OTEL_TRACES_EXPORTER" ? "console" : null));
        Assert.StartsWith("OTEL_TRACES_EXPORTER: 'console' is not a trace exporter", error.Message);
    }
}
