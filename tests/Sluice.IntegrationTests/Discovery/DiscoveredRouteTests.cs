using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// End to end: a real backend serves the OpenAPI 3.0 petstore at a probed path, discovery writes
/// its functions beside the upstream, and the gateway serves routes to them — a path parameter
/// rendered into the path, a JSON body rendered from the body schema's properties.
/// </summary>
public sealed class DiscoveredRouteTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DocumentBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await DocumentBackend.StartAsync();
        _backend.EchoOthers = true;
        _backend.Serve("/openapi.json", await File.ReadAllBytesAsync(Path.Combine(Discover.TestData("openapi"), "v3.0-petstore.yaml")), "application/yaml");
        _gateway = await GatewayFixture.StartAsync(output: output);
        await _gateway.ApplyAsync($$"""
            {{Discover.Upstream("petstore", _backend.Port)}}
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /pet/ }
              single_destination: { function: { upstream_name: petstore, function_name: showPetById } }
              extensions: { parameters: { path: '/pet/{petId}' } }
            - request_matcher: { path_exact: /pets, verbs: [POST] }
              single_destination: { function: { upstream_name: petstore, function_name: createPets } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Routes_to_discovered_functions_work_end_to_end()
    {
        // Before discovery the function does not exist yet: 404, and the virtual service says why.
        using (var before = await _gateway.Client.GetAsync("/pet/42"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        var state = Assert.Single(await Discover.OnceAsync(_gateway.Store));
        Assert.True(state.State == "found", state.Message);

        var echo = await WaitForAsync(() => _gateway.Client.GetAsync("/pet/42"), _gateway.Admin);
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal("/v1/pets/42", echo.GetProperty("path").GetString());

        using var content = new StringContent("""{"id": 7, "name": "Rex"}""", Encoding.UTF8, "application/json");
        using var created = await _gateway.Client.PostAsync("/pets", content);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var sent = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("/v1/pets", sent.GetProperty("path").GetString());
        using var body = JsonDocument.Parse(sent.GetProperty("body").GetString()!);
        Assert.Equal(7, body.RootElement.GetProperty("id").GetInt32());
        Assert.Equal("Rex", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("", body.RootElement.GetProperty("tag").GetString());

        // The upstream as the admin API shows it is accepted: discovery left nothing to warn about.
        var upstream = JsonDocument.Parse(await _gateway.Admin.GetStringAsync("/api/v1/upstreams/petstore")).RootElement;
        Assert.Equal(nameof(StatusState.Accepted), upstream.GetProperty("status").GetProperty("state").GetString());
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<HttpResponseMessage>> send, HttpClient admin)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await send();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"still {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}; upstreams: {await admin.GetStringAsync("/api/v1/upstreams")}");
            }
            await Task.Delay(20);
        }
    }
}
