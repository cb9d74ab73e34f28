using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plan;
using Sluice.Plugins.Static;
using Sluice.Telemetry;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>
/// Function destinations through the invoker seam: labelled by function in metrics and spans, and
/// an invoker that forwards still passes the trace on (through the route's transformer).
/// </summary>
public sealed class FunctionTelemetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Functions_are_labelled_and_traced()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var collector = await CollectorEndpoint.StartAsync();
        PrometheusText metrics;
        EchoResponse forwarded;
        await using (var gateway = await GatewayFixture.StartAsync(
            new GatewayOptions
            {
                Tracing = new TracingOptions { Exporter = TracingExporter.Zipkin, Endpoint = new Uri($"http://127.0.0.1:{collector.Port}/api/v2/spans") },
            },
            plugins: new PluginRegistry([new StaticUpstreamPlugin(), new TestFunctionPlugin()]), output: output))
        {
            await gateway.ApplyAsync($$"""
                name: funcs
                type: static
                spec: { hosts: [{ addr: 127.0.0.1, port: {{backend.Port}} }] }
                functions:
                - name: answer
                  spec: { mode: answer }
                - name: forward
                  spec: { mode: forward }
                ---
                name: default
                routes:
                - request_matcher: { path_prefix: /answer }
                  single_destination: { function: { upstream_name: funcs, function_name: answer } }
                - request_matcher: { path_prefix: /forward }
                  single_destination: { function: { upstream_name: funcs, function_name: forward } }
                """);
            Assert.Equal("answered", await gateway.Client.GetStringAsync("/answer"));
            forwarded = (await gateway.Client.GetFromJsonAsync<EchoResponse>("/forward"))!;
            metrics = await PrometheusText.ScrapeSettledAsync(gateway.Admin);
        }

        Assert.Equal(1, metrics.Value("sluice_requests_total", ("route", "default/0"), ("upstream", "funcs"), ("function", "answer"), ("status_class", "2xx")));
        Assert.Equal(1, metrics.Value("sluice_requests_total", ("route", "default/1"), ("upstream", "funcs"), ("function", "forward"), ("status_class", "2xx")));
        Assert.Equal(1, metrics.Value("sluice_upstream_duration_seconds_count", ("function", "answer")));
        Assert.Equal(1, metrics.Value("sluice_upstream_duration_seconds_count", ("function", "forward")));

        var spans = collector.Received.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray().Select(e => e.Clone())).ToList();
        var answerSpan = Assert.Single(spans, s => s.GetProperty("kind").GetString() == "CLIENT" && s.GetProperty("name").GetString() == "funcs.answer");
        Assert.Equal("answer", answerSpan.GetProperty("tags").GetProperty("sluice.function").GetString());
        var forwardSpan = Assert.Single(spans, s => s.GetProperty("kind").GetString() == "CLIENT" && s.GetProperty("name").GetString() == "funcs.forward");
        Assert.Equal(
            $"00-{forwardSpan.GetProperty("traceId").GetString()}-{forwardSpan.GetProperty("id").GetString()}-01",
            forwarded.Headers["traceparent"]);
    }

    /// <summary>Claims function specs with <c>mode</c>: <c>answer</c> writes a body itself, <c>forward</c> forwards as a route would.</summary>
    private sealed class TestFunctionPlugin : IFunctionPlugin
    {
        public string Name => "test-functions";

        public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
        {
            var spec = new SpecReader(function.Spec, "spec", new Diagnostics());
            return spec.Has("mode") ? FunctionSpecResult.Accepted(new ModeSpec(spec.String("mode")!)) : FunctionSpecResult.NotMine;
        }
    }

    private sealed record ModeSpec(string Mode) : IInvokerSpec, IInvoker
    {
        public IInvoker CreateInvoker(InvokerServices services) => this;

        public Task InvokeAsync(RouteContext context) => Mode == "answer"
            ? context.HttpContext.Response.WriteAsync("answered")
            : context.ForwardAsync(context.RouteTransformer);
    }
}
