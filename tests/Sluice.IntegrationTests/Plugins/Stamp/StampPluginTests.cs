using System.Net;
using System.Net.Http.Json;
using Sluice.Hosting;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Plugins.Stamp;

/// <summary>A plugin from outside the product adds filters to the pipeline of the routes that ask for it.</summary>
public sealed class StampPluginTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        // The one registration line.
        var plugins = new PluginRegistry([.. SluicePlugins.Default.Plugins, new StampPlugin()]);
        _gateway = await GatewayFixture.StartAsync(plugins: plugins, output: output);
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /stamped }
              single_destination: { upstream: { name: backend } }
              extensions:
                stamp: { header: x-stamp, value: blue, deny_header: x-deny }
            - request_matcher: { path_prefix: /plain }
              single_destination: { upstream: { name: backend } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Request_stage_filter_adds_a_header_the_upstream_sees()
    {
        var echo = await _gateway.Client.GetFromJsonAsync<EchoResponse>("/stamped");
        Assert.Equal("blue", echo!.Headers["x-stamp"]);
        var plain = await _gateway.Client.GetFromJsonAsync<EchoResponse>("/plain");
        Assert.False(plain!.Headers.ContainsKey("x-stamp"));
    }

    [Fact]
    public async Task Admission_stage_filter_answers_before_anything_else_runs()
    {
        var before = _backend.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stamped");
        request.Headers.Add("x-deny", "1");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("stamp", response.Headers.GetValues("x-denied-by").Single());
        Assert.Equal(before, _backend.Requests);
    }
}
