using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Sluice.Gateway;
using Sluice.Hosting;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plan;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Gateway;

public sealed class AdminApiTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /api, verbs: [GET] }
              single_destination: { upstream: { name: backend } }
              prefix_rewrite: /
              extensions: { max_retries: 2, timeout: 5s }
            - request_matcher: { path_prefix: /gone }
              single_destination: { upstream: { name: gone } }
            """);
    }

    [Fact]
    public async Task Health_and_readiness()
    {
        Assert.Equal("ok\n", await Gateway.Admin.GetStringAsync("/healthz"));
        Assert.Equal("ready\n", await Gateway.Admin.GetStringAsync("/readyz"));
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:19000")]
    [InlineData("localhost.evil.example")]
    public async Task Requests_for_other_host_names_are_refused(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/plan");
        request.Headers.Host = host;

        using var response = await Gateway.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("admin_host_not_allowed", response.Headers.GetValues(SluiceError.Header).Single());
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("DNS rebinding", body);
        Assert.DoesNotContain("default", body);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:19000")]
    [InlineData("LOCALHOST.")]
    [InlineData("admin.localhost:19000")]
    [InlineData("127.0.0.1:19000")]
    [InlineData("10.1.2.3")]
    [InlineData("[::1]:19000")]
    public async Task Loopback_names_and_ip_literals_are_answered(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = host;

        using var response = await Gateway.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Admin_api_bound_beyond_loopback_logs_a_warning()
    {
        var logs = new RecordingLoggerProvider();
        var exposed = new GatewayOptions { HttpPort = 0, Http2Port = 0, HttpsPort = 0, AdminPort = FreePorts.Next(), AdminBind = IPAddress.Any };
        await using (await SluiceServer.StartAsync(exposed, new InMemoryStore(), SluicePlugins.Default, logs))
        {
        }
        var loopbackLogs = new RecordingLoggerProvider();
        await using (await SluiceServer.StartAsync(exposed with { AdminPort = FreePorts.Next(), AdminBind = IPAddress.Loopback }, new InMemoryStore(), SluicePlugins.Default, loopbackLogs))
        {
        }

        var warning = Assert.Single(logs.Lines, line => line.Id.Name == "AdminExposed");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("unauthenticated", warning.Message);
        Assert.Contains($"0.0.0.0:{exposed.AdminPort}", warning.Message);
        Assert.DoesNotContain(loopbackLogs.Lines, line => line.Id.Name == "AdminExposed");
    }

    [Fact]
    public async Task Readiness_waits_for_the_first_configuration()
    {
        // A store that never yields: the gateway is alive but not ready.
        var options = new GatewayOptions { Bind = IPAddress.Loopback, HttpPort = FreePorts.Next(), Http2Port = 0, HttpsPort = 0, AdminPort = FreePorts.Next() };
        await using var server = await SluiceServer.StartAsync(options, new NeverReadyStore(), SluicePlugins.Default, new RecordingLoggerProvider());
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.AdminPort}") };
        Assert.Equal("ok\n", await admin.GetStringAsync("/healthz"));
        using var response = await admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Objects_come_with_their_status()
    {
        var services = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/virtualservices"))!.AsArray();
        var service = Assert.Single(services)!;
        Assert.Equal("default", (string?)service["name"]);
        Assert.Equal("Warning", (string?)service["status"]!["state"]);
        Assert.Contains("upstream 'gone' was not found", (string?)service["status"]!["reason"]);

        var upstream = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/upstreams/backend"))!;
        Assert.Equal("static", (string?)upstream["type"]);
        Assert.Equal("Accepted", (string?)upstream["status"]!["state"]);

        using var missing = await Gateway.Admin.GetAsync("/api/v1/upstreams/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Plan_shows_what_is_served()
    {
        var plan = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/plan"))!;
        var routes = plan["virtual_hosts"]![0]!["routes"]!.AsArray();
        Assert.Equal("default/0", (string?)routes[0]!["name"]);
        Assert.Equal("/api", (string?)routes[0]!["match"]!["path_prefix"]);
        Assert.Equal("backend", (string?)routes[0]!["destinations"]![0]!["cluster"]);
        Assert.Equal(2, (int)routes[0]!["retries"]!["num_retries"]!);
        Assert.Equal("5s", (string?)routes[0]!["timeout"]);
        Assert.Equal(503, (int)routes[1]!["destinations"]![0]!["answer"]!["status"]!);
        Assert.Equal($"127.0.0.1:{Backend.Port}", (string?)plan["clusters"]![0]!["endpoints"]![0]);
    }

    private sealed class NeverReadyStore : IConfigStore
    {
        public Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(ConfigSnapshot.Empty);

        public async IAsyncEnumerable<ConfigSnapshot> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            yield break;
        }

        public Task<Sluice.Api.IConfigObject> CreateAsync(Sluice.Api.IConfigObject obj, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Sluice.Api.IConfigObject> UpdateAsync(Sluice.Api.IConfigObject obj, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(Sluice.Api.ConfigKind kind, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task WriteStatusAsync(Sluice.Api.ConfigKind kind, string name, string? resourceVersion, Sluice.Api.Status status, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
