using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Plugins.Serverless;

/// <summary>Azure Functions routes against a local Functions host that enforces keys per auth level.</summary>
public sealed class AzureFunctionsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeAzureFunctions _azure = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _azure = await FakeAzureFunctions.StartAsync("master-key", new()
        {
            ["open"] = ("anonymous", null),
            ["own-key"] = ("function", "own-secret"),
            ["master-only"] = ("function", "unused"),
            ["admin"] = ("admin", null),
        });
        _gateway = await GatewayFixture.StartAsync(output: output);
        _gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["azure-keys"] = new([new("_master", "master-key"), new("own-key", "own-secret")]),
            ["azure-wrong"] = new([new("_master", "not-the-master-key")]),
        });
        var endpoint = $"http://127.0.0.1:{_azure.Port}";
        await _gateway.ApplyAsync($$"""
            name: azure
            type: azure
            spec: { function_app_name: my-app, secret_ref: azure-keys, endpoint: "{{endpoint}}" }
            functions:
            - { name: open, spec: { function_name: open, auth_level: anonymous } }
            - { name: own-key, spec: { function_name: own-key, auth_level: function } }
            - { name: master-only, spec: { function_name: master-only, auth_level: function } }
            - { name: admin, spec: { function_name: admin, auth_level: admin } }
            - { name: admin-as-anonymous, spec: { function_name: admin } }
            ---
            name: azure-wrong
            type: azure
            spec: { function_app_name: my-app, secret_ref: azure-wrong, endpoint: "{{endpoint}}" }
            functions:
            - { name: admin, spec: { function_name: admin, auth_level: admin } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /open }
              single_destination: { function: { upstream_name: azure, function_name: open } }
            - request_matcher: { path_prefix: /own-key }
              single_destination: { function: { upstream_name: azure, function_name: own-key } }
            - request_matcher: { path_prefix: /master-only }
              single_destination: { function: { upstream_name: azure, function_name: master-only } }
            - request_matcher: { path_prefix: /admin-as-anonymous }
              single_destination: { function: { upstream_name: azure, function_name: admin-as-anonymous } }
            - request_matcher: { path_prefix: /admin-wrong }
              single_destination: { function: { upstream_name: azure-wrong, function_name: admin } }
            - request_matcher: { path_prefix: /admin }
              single_destination: { function: { upstream_name: azure, function_name: admin } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _azure.DisposeAsync();
    }

    [Theory]
    [InlineData("/open", "/api/open")]
    [InlineData("/own-key", "/api/own-key")]
    [InlineData("/master-only", "/api/master-only")]
    [InlineData("/admin", "/api/admin")]
    public async Task Each_auth_level_gets_the_key_it_needs(string path, string functionPath)
    {
        using var response = await _gateway.Client.PostAsync(path + "?name=x", new StringContent("hi"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{functionPath} POST ?name=x hi", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/admin-as-anonymous")]
    [InlineData("/admin-wrong")]
    public async Task Without_the_right_key_the_app_refuses(string path)
    {
        using var response = await _gateway.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_clients_own_key_header_is_replaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Add("x-functions-key", "guess");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
