using System.Net;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>A config folder as users keep it: one broken file affects only itself.</summary>
public sealed class FileStoreIsolationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-files-").FullName;
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        Write("upstreams/backend.yaml", TestConfig.Upstream("backend", _backend.Port));
        Write("virtualservices/shop.yaml", Service("shop", "/shop"));
        Write("virtualservices/blog.yaml", Service("blog", "/blog"));
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir), output: output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Broken_file_keeps_its_objects_last_version_and_spares_the_others()
    {
        await WaitServedAsync("shop.example.com", "/shop");

        // A typo that breaks the YAML, plus a real change: neither may take effect.
        Write("virtualservices/shop.yaml", Service("shop", "/shop2").Replace("routes:", "routes: [", StringComparison.Ordinal));
        Write("virtualservices/blog.yaml", Service("blog", "/blog2"));
        await WaitServedAsync("blog.example.com", "/blog2");

        await WaitServedAsync("shop.example.com", "/shop");
        var status = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "shop").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.StartsWith("virtualservices/shop.yaml:", status.Reason);
        Assert.Contains("the last accepted version", status.Reason);

        // Fixed: the change goes live.
        Write("virtualservices/shop.yaml", Service("shop", "/shop2"));
        await WaitServedAsync("shop.example.com", "/shop2");
    }

    [Fact]
    public async Task Objects_that_fail_to_load_are_listed_by_the_admin_api_as_rejected_with_the_version_serving()
    {
        await WaitServedAsync("shop.example.com", "/shop");

        // One file no longer parses; another object gains an unknown field.
        Write("virtualservices/shop.yaml", Service("shop", "/shop").Replace("routes:", "routes: [", StringComparison.Ordinal));
        Write("upstreams/backend.yaml", $"name: backend\ntype: static\nspec: {{ hosts: [{{ addr: 127.0.0.1, port: {_backend.Port} }}] }}\ncolour: blue\n");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        JsonArray services;
        while (true)
        {
            services = JsonNode.Parse(await _gateway.Admin.GetStringAsync("/api/v1/virtualservices"))!.AsArray();
            var upstream = JsonNode.Parse(await _gateway.Admin.GetStringAsync("/api/v1/upstreams/backend"))!;
            if (services.Any(s => (string?)s!["status"]?["state"] == "Rejected") && (string?)upstream["status"]?["state"] == "Rejected")
            {
                Assert.Equal(
                    "upstreams/backend.yaml:4:1: field 'colour': unknown field (expected one of: name, type, connection_timeout, spec, functions, service_info, use_http2, health_checks, load_balancer, outlier_detection, circuit_breakers, metadata, status); the last accepted version (resource_version 1) keeps serving",
                    (string?)upstream["status"]!["reason"]);
                Assert.Equal("1", (string?)upstream["status"]!["serving_resource_version"]);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the broken files were not judged within 5 s");
            await Task.Delay(50);
        }

        Assert.Equal(["blog", "shop"], services.Select(s => (string?)s!["name"]));
        var shop = JsonNode.Parse(await _gateway.Admin.GetStringAsync("/api/v1/virtualservices/shop"))!;
        var status = shop["status"]!;
        Assert.Equal("Rejected", (string?)status["state"]);
        Assert.Equal(
            "virtualservices/shop.yaml:4:1: could not be read: its file no longer parses (invalid YAML: while parsing a node, did not find expected node content); the last accepted version (resource_version 1) keeps serving",
            (string?)status["reason"]);
        Assert.Equal("1", (string?)status["serving_resource_version"]);
        Assert.False((bool)status["loaded"]!);
        // The body is the version serving: its route is the one still answered.
        Assert.Equal("/shop", (string?)shop["routes"]![0]!["request_matcher"]!["path_exact"]);
        await WaitServedAsync("shop.example.com", "/shop");
    }

    [Fact]
    public async Task Json_config_file_is_served()
    {
        Write("virtualservices/api.json", """
            {
              "name": "api",
              "domains": ["api.example.com"],
              "routes": [
                { "request_matcher": { "path_exact": "/json" }, "single_destination": { "upstream": { "name": "backend" } } }
              ]
            }
            """);

        await WaitServedAsync("api.example.com", "/json");
    }

    private async Task WaitServedAsync(string host, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = host } };
            using var response = await _gateway.Client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{host}{path} was not served within 5 s");
            await Task.Delay(20);
        }
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Combine(_dir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Service(string name, string path) => $$"""
        name: {{name}}
        domains: [{{name}}.example.com]
        routes:
        - request_matcher: { path_exact: {{path}} }
          single_destination: { upstream: { name: backend } }
        """;
}
