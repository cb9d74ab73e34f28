using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>A config folder as users keep it: one broken file affects only itself.</summary>
public sealed class FileStoreIsolationTests : IAsyncLifetime
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
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir));
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
