using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plan;
using Sluice.Plugins.Static;
using Sluice.Translation;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// The invoker seam plugins build on: a function plugin's compiled spec serves the request,
/// either answering itself or forwarding through the gateway with its own transformer.
/// </summary>
public sealed class InvokerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        var plugins = new PluginRegistry([new StaticUpstreamPlugin(), new GreetingFunctionPlugin()]);
        _gateway = await GatewayFixture.StartAsync(plugins: plugins, output: output);
        await _gateway.ApplyAsync($$"""
            name: greeter
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_backend.Port}} }] }
            functions:
            - name: hello
              spec: { greeting: hello there }
            - name: tagged
              spec: { tag: blue }
            - name: plain
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /hello }
              single_destination: { function: { upstream_name: greeter, function_name: hello } }
            - request_matcher: { path_prefix: /tagged }
              single_destination: { function: { upstream_name: greeter, function_name: tagged } }
            - request_matcher: { path_prefix: /plain }
              single_destination: { function: { upstream_name: greeter, function_name: plain } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Invoker_can_answer_by_itself()
    {
        var before = _backend.Requests;
        Assert.Equal("hello there", await _gateway.Client.GetStringAsync("/hello"));
        Assert.Equal(before, _backend.Requests);
    }

    [Fact]
    public async Task Invoker_can_forward_with_its_own_transformer()
    {
        var echo = await _gateway.GetEchoAsync("/tagged/x");
        Assert.Equal("blue", echo.Headers["x-tag"]);
        Assert.Equal("/tagged/x", echo.Path);
    }

    [Fact]
    public async Task Function_without_invoker_is_forwarded_unchanged()
    {
        var echo = await _gateway.GetEchoAsync("/plain");
        Assert.False(echo.Headers.ContainsKey("x-tag"));
    }

    [Fact]
    public async Task Invalid_function_spec_rejects_the_upstream()
    {
        await _gateway.ApplyAsync($$"""
            name: greeter
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_backend.Port}} }] }
            functions:
            - name: hello
              spec: { greeting: "" }
            """);
        var status = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "greeter").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("functions[0] (hello): greeting must not be empty", status.Reason);
        // The last accepted version keeps serving.
        Assert.Equal("hello there", await _gateway.Client.GetStringAsync("/hello"));
        using var response = await _gateway.Client.GetAsync("/plain");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Claims specs with <c>greeting</c> (answers it) or <c>tag</c> (forwards with x-tag).</summary>
    private sealed class GreetingFunctionPlugin : IFunctionPlugin
    {
        public string Name => "greeting";

        public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
        {
            var diagnostics = new Diagnostics();
            var spec = new SpecReader(function.Spec, "spec", diagnostics);
            if (spec.Has("greeting"))
            {
                var greeting = spec.String("greeting");
                return string.IsNullOrEmpty(greeting)
                    ? FunctionSpecResult.Invalid("greeting must not be empty")
                    : FunctionSpecResult.Accepted(new GreetingSpec(greeting));
            }
            return spec.Has("tag") ? FunctionSpecResult.Accepted(new TagSpec(spec.String("tag")!)) : FunctionSpecResult.NotMine;
        }
    }

    private sealed record GreetingSpec(string Greeting) : IInvokerSpec, IInvoker
    {
        public IInvoker CreateInvoker(InvokerServices services) => this;

        public Task InvokeAsync(RouteContext context) => context.HttpContext.Response.WriteAsync(Greeting);
    }

    private sealed record TagSpec(string Tag) : IInvokerSpec
    {
        public IInvoker CreateInvoker(InvokerServices services) => new TagInvoker(Tag);
    }

    private sealed class TagInvoker(string tag) : IInvoker
    {
        public Task InvokeAsync(RouteContext context) => context.ForwardAsync(new TagTransformer(context.RouteTransformer, tag));
    }

    private sealed class TagTransformer(HttpTransformer route, string tag) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await route.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Add("x-tag", tag);
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            route.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
