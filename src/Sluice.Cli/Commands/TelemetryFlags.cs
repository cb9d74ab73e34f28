using System.CommandLine;
using System.Globalization;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.Telemetry;

namespace Sluice.Cli.Commands;

/// <summary>
/// The observability flags of <c>sluice run</c>: access log, tracing, StatsD. Like every run flag
/// each falls back to <c>SLUICE_&lt;FLAG&gt;</c>; tracing then falls back to the standard
/// <c>OTEL_*</c> variables (the exporters read their endpoint and protocol variables themselves).
/// </summary>
internal sealed class TelemetryFlags
{
    private static readonly GatewayOptions Defaults = new();

    public Option<string?> AccessLog { get; } = Create("--access-log", "PATH|-", "Write a JSON access log line per request to a file, or '-' for stdout", "off");

    public Option<string?> AccessLogFields { get; } = Create("--access-log-fields", "F1,F2,…",
        $"Access log fields to write ({string.Join(", ", Telemetry.AccessLogFields.All)})", "all");

    public Option<string?> Tracing { get; } = Create("--tracing", "none|otlp|zipkin", "Export OpenTelemetry traces [then OTEL_TRACES_EXPORTER]", "none");

    public Option<string?> TracingEndpoint { get; } = Create("--tracing-endpoint", "URL",
        "Trace collector URL [then OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_ZIPKIN_ENDPOINT]", "the exporter's");

    public Option<string?> TracingProtocol { get; } = Create("--tracing-protocol", "grpc|http/protobuf", "OTLP transport [then OTEL_EXPORTER_OTLP_PROTOCOL]", "grpc");

    public Option<string?> TracingSampleRatio { get; } = Create("--tracing-sample-ratio", "0..1",
        "Share of new traces recorded; requests keep their caller's decision [then OTEL_TRACES_SAMPLER_ARG]", Defaults.Tracing.SampleRatio);

    public Option<string?> Statsd { get; } = Create("--statsd", "HOST:PORT", "Send counters and timers to a StatsD collector over UDP", "off");

    public Option<string?> StatsdPrefix { get; } = Create("--statsd-prefix", "NAME", "StatsD metric name prefix", Defaults.Statsd.Prefix);

    public IEnumerable<Option> All => [AccessLog, AccessLogFields, Tracing, TracingEndpoint, TracingProtocol, TracingSampleRatio, Statsd, StatsdPrefix];

    public GatewayOptions Apply(GatewayOptions options, ParseResult parseResult, CliContext context)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        string Source(Option option) => EnvironmentFallback.SourceOf(parseResult, option, context);
        string? Otel(string variable) => context.Environment(variable) is { Length: > 0 } value ? value : null;

        var accessLog = options.AccessLog;
        if (Get(AccessLog) is { } path)
        {
            if (path != "-" && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
            {
                throw new CliException($"{Source(AccessLog)} {path}: the folder '{folder}' does not exist (create it, or write the log elsewhere)");
            }
            accessLog = accessLog with { Path = path };
        }
        if (Get(AccessLogFields) is { } fields)
        {
            var names = new ValueList<string>(fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            if (Telemetry.AccessLogFields.Check(names) is { } error)
            {
                throw new CliException($"{Source(AccessLogFields)}: {error}");
            }
            accessLog = accessLog with { Fields = names };
        }

        var tracing = options.Tracing;
        if (Get(Tracing) is { } exporter)
        {
            tracing = tracing with { Exporter = ParseExporter(exporter, Source(Tracing)) };
        }
        else if (Otel("OTEL_TRACES_EXPORTER") is { } otelExporter)
        {
            tracing = tracing with { Exporter = ParseExporter(otelExporter, "OTEL_TRACES_EXPORTER") };
        }
        if (Get(TracingEndpoint) is { } endpoint)
        {
            tracing = tracing with { Endpoint = ParseUrl(endpoint, Source(TracingEndpoint)) };
        }
        if (Get(TracingProtocol) is { } protocol)
        {
            tracing = tracing with { OtlpTransport = ParseProtocol(protocol, Source(TracingProtocol)) };
        }
        if (Get(TracingSampleRatio) is { } ratio)
        {
            tracing = tracing with { SampleRatio = ParseRatio(ratio, Source(TracingSampleRatio)) };
        }
        else if (Otel("OTEL_TRACES_SAMPLER") is "traceidratio" or "parentbased_traceidratio" && Otel("OTEL_TRACES_SAMPLER_ARG") is { } otelRatio)
        {
            tracing = tracing with { SampleRatio = ParseRatio(otelRatio, "OTEL_TRACES_SAMPLER_ARG") };
        }

        var statsd = options.Statsd;
        if (Get(Statsd) is { } address)
        {
            var (host, port) = ParseHostPort(address, Source(Statsd));
            statsd = statsd with { Host = host, Port = port };
        }
        if (Get(StatsdPrefix) is { } prefix)
        {
            statsd = statsd with { Prefix = prefix.Trim('.') };
        }
        return options with { AccessLog = accessLog, Tracing = tracing, Statsd = statsd };
    }

    internal static TracingExporter ParseExporter(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "none" or "off" => TracingExporter.None,
        "otlp" => TracingExporter.Otlp,
        "zipkin" => TracingExporter.Zipkin,
        _ => throw new CliException($"{source}: '{text}' is not a trace exporter (none, otlp or zipkin)"),
    };

    internal static OtlpTransport ParseProtocol(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "grpc" => OtlpTransport.Grpc,
        "http/protobuf" or "http" => OtlpTransport.HttpProtobuf,
        _ => throw new CliException($"{source}: '{text}' is not an OTLP protocol (grpc or http/protobuf)"),
    };

    internal static double ParseRatio(string text, string source) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new CliException($"{source}: '{text}' is not a sampling ratio (a number from 0 to 1)");

    internal static Uri ParseUrl(string text, string source) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new CliException($"{source}: '{text}' is not an http(s) URL (e.g. http://collector:4317)");

    internal static (string Host, int Port) ParseHostPort(string text, string source)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        if (host.Length > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            return (host, port);
        }
        throw new CliException($"{source}: '{text}' is not HOST:PORT (e.g. 127.0.0.1:8125)");
    }

    private static Option<string?> Create(string name, string helpName, string description, object defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
