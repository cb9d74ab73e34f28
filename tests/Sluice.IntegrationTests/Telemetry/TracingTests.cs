using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>
/// OpenTelemetry tracing end to end: spans exported to a real Zipkin v2 or OTLP endpoint, the
/// trace context read from W3C or B3 headers and passed on to the backend.
/// </summary>
public sealed class TracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";

    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Zipkin_receives_server_and_client_spans_and_the_backend_gets_the_trace()
    {
        await using var collector = await CollectorEndpoint.StartAsync();
        EchoResponse echo;
        await using (var gateway = await StartGatewayAsync(new TracingOptions
        {
            Exporter = TracingExporter.Zipkin,
            Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/api/v2/spans"),
        }))
        {
            echo = await SendAsync(gateway, ("traceparent", $"00-{TraceId}-{ClientSpanId}-01"));
        }   // disposing the gateway flushes its spans

        var spans = collector.Received.Where(r => r.Path == "/api/v2/spans")
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Select(e => e.Clone()))
            .Where(s => s.GetProperty("traceId").GetString() == TraceId)
            .ToList();
        Assert.Equal(2, spans.Count);
        var server = Assert.Single(spans, s => s.GetProperty("kind").GetString() == "SERVER");
        var client = Assert.Single(spans, s => s.GetProperty("kind").GetString() == "CLIENT");

        // The server span continues the caller's trace; the client span is its child.
        Assert.Equal(ClientSpanId, server.GetProperty("parentId").GetString());
        Assert.Equal(server.GetProperty("id").GetString(), client.GetProperty("parentId").GetString());
        Assert.Equal("get default/0", server.GetProperty("name").GetString(), ignoreCase: true);
        Assert.Equal("sluice", server.GetProperty("localEndpoint").GetProperty("serviceName").GetString());
        var serverTags = server.GetProperty("tags");
        Assert.Equal("default", serverTags.GetProperty("sluice.virtual_service").GetString());
        Assert.Equal("default/0", serverTags.GetProperty("sluice.route").GetString());
        Assert.Equal("backend", serverTags.GetProperty("sluice.upstream").GetString());
        Assert.Equal("200", serverTags.GetProperty("http.response.status_code").GetString());
        Assert.Equal("/traced", serverTags.GetProperty("url.path").GetString());
        var clientTags = client.GetProperty("tags");
        Assert.Equal("backend", clientTags.GetProperty("sluice.upstream").GetString());
        Assert.Equal("default/0", clientTags.GetProperty("sluice.route").GetString());
        Assert.Equal($"http://127.0.0.1:{_backend.Port}", clientTags.GetProperty("server.address").GetString());

        // The backend sees the same trace, with the client span as parent, in W3C and in B3.
        Assert.Equal($"00-{TraceId}-{client.GetProperty("id").GetString()}-01", echo.Headers["traceparent"]);
        Assert.Equal(TraceId, echo.Headers["x-b3-traceid"]);
        Assert.Equal(client.GetProperty("id").GetString(), echo.Headers["x-b3-spanid"]);
        Assert.Equal("1", echo.Headers["x-b3-sampled"]);
    }

    [Fact]
    public async Task A_B3_trace_is_continued_when_no_traceparent_is_sent()
    {
        await using var collector = await CollectorEndpoint.StartAsync();
        await using var gateway = await StartGatewayAsync(new TracingOptions
        {
            Exporter = TracingExporter.Zipkin,
            Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/api/v2/spans"),
        });
        var echo = await SendAsync(gateway, ("X-B3-TraceId", TraceId), ("X-B3-SpanId", ClientSpanId), ("X-B3-Sampled", "1"));

        Assert.StartsWith($"00-{TraceId}-", echo.Headers["traceparent"]);
        Assert.Equal(TraceId, echo.Headers["x-b3-traceid"]);
        Assert.NotEqual(ClientSpanId, echo.Headers["x-b3-spanid"]);

        var single = await SendAsync(gateway, ("b3", $"{TraceId}-{ClientSpanId}-1"));
        Assert.StartsWith($"00-{TraceId}-", single.Headers["traceparent"]);
        Assert.False(single.Headers.ContainsKey("b3"));   // replaced by the multi-header form
        Assert.Equal(TraceId, single.Headers["x-b3-traceid"]);
    }

    [Fact]
    public async Task The_sample_ratio_applies_to_new_traces_and_the_callers_decision_wins()
    {
        await using var collector = await CollectorEndpoint.StartAsync();
        await using (var gateway = await StartGatewayAsync(new TracingOptions
        {
            Exporter = TracingExporter.Zipkin,
            Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/api/v2/spans"),
            SampleRatio = 0,
        }))
        {
            // Not sampled: no span, so nothing to propagate (the backend may start its own trace).
            var fresh = await SendAsync(gateway);
            Assert.False(fresh.Headers.ContainsKey("traceparent"));

            // The caller's sampled decision wins over the ratio (parent-based sampling).
            var sampled = await SendAsync(gateway, ("traceparent", $"00-{TraceId}-{ClientSpanId}-01"));
            Assert.StartsWith($"00-{TraceId}-", sampled.Headers["traceparent"]);
            Assert.EndsWith("-01", sampled.Headers["traceparent"]);
        }
        var traceIds = collector.Received.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray())
            .Select(s => s.GetProperty("traceId").GetString()).Distinct().ToList();
        Assert.Equal([TraceId], traceIds);
    }

    [Fact]
    public async Task A_new_trace_starts_when_the_caller_sent_none()
    {
        // As in production whenever ASP.NET Core's hosting activity is created (a listener, or a
        // logger at Critical): the gateway's span must not hang under that never-exported activity.
        using var hostingListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(hostingListener);
        await using var collector = await CollectorEndpoint.StartAsync();
        EchoResponse first, second;
        await using (var gateway = await StartGatewayAsync(new TracingOptions
        {
            Exporter = TracingExporter.Zipkin,
            Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/api/v2/spans"),
        }))
        {
            first = await SendAsync(gateway);
            second = await SendAsync(gateway);
        }
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", first.Headers["traceparent"]);
        var traceId = first.Headers["traceparent"][3..35];
        Assert.NotEqual(traceId, second.Headers["traceparent"][3..35]);

        // The gateway's server span is the root: not hung under ASP.NET Core's unexported activity.
        var server = Assert.Single(collector.Received.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()),
            s => s.GetProperty("traceId").GetString() == traceId && s.GetProperty("kind").GetString() == "SERVER");
        Assert.False(server.TryGetProperty("parentId", out _));
    }

    [Fact]
    public async Task Tracing_off_creates_no_span_and_passes_the_callers_headers_unchanged()
    {
        await using var gateway = await StartGatewayAsync(new TracingOptions());
        var echo = await SendAsync(gateway, ("traceparent", $"00-{TraceId}-{ClientSpanId}-01"), ("X-B3-TraceId", TraceId));
        Assert.Equal($"00-{TraceId}-{ClientSpanId}-01", echo.Headers["traceparent"]);
        Assert.Equal(TraceId, echo.Headers["x-b3-traceid"]);
        Assert.False(echo.Headers.ContainsKey("x-b3-spanid"));
    }

    [Theory]
    [InlineData(OtlpTransport.HttpProtobuf)]
    [InlineData(OtlpTransport.Grpc)]
    public async Task Otlp_receives_the_spans(OtlpTransport transport)
    {
        var grpc = transport == OtlpTransport.Grpc;
        await using var collector = await CollectorEndpoint.StartAsync(grpc);
        await using (var gateway = await StartGatewayAsync(new TracingOptions
        {
            Exporter = TracingExporter.Otlp,
            OtlpTransport = transport,
            Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/"),
        }))
        {
            await SendAsync(gateway, ("traceparent", $"00-{TraceId}-{ClientSpanId}-01"));
        }

        var export = Assert.Single(collector.Received);
        Assert.Equal(grpc ? "/opentelemetry.proto.collector.trace.v1.TraceService/Export" : "/v1/traces", export.Path);
        Assert.Equal(grpc ? "application/grpc" : "application/x-protobuf", export.ContentType);
        // Protobuf carries ids as raw bytes and names as UTF-8: both spans, their attributes, the service.
        var body = export.Body;
        Assert.True(Contains(body, Convert.FromHexString(TraceId)), "trace id");
        Assert.True(Contains(body, Convert.FromHexString(ClientSpanId)), "caller's span id as the server span's parent");
        foreach (var text in new[] { "sluice.route", "default/0", "sluice.upstream", "backend", "service.name", "sluice", "Sluice.Gateway" })
        {
            Assert.True(Contains(body, Encoding.UTF8.GetBytes(text)), text);
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private async Task<GatewayFixture> StartGatewayAsync(TracingOptions tracing)
    {
        var gateway = await GatewayFixture.StartAsync(new GatewayOptions { Tracing = tracing }, output: output);
        await gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        return gateway;
    }

    private static async Task<EchoResponse> SendAsync(GatewayFixture gateway, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await gateway.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<EchoResponse>(response.Content))!;
    }
}
