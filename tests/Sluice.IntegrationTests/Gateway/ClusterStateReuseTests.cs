using System.Net;
using System.Text.Json.Nodes;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// A changed upstream keeps what the change did not touch: its connection pool while the
/// transport settings are equal, its endpoints' ejections whatever else changed.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ClusterStateReuseTests(ITestOutputHelper output) : GatewayTest(output)
{
    private const string Route = """
        name: default
        routes:
        - request_matcher: { path_prefix: /a }
          single_destination: { upstream: { name: backend } }

        """;

    [Fact]
    public async Task Adding_a_function_and_a_route_opens_no_new_upstream_connection()
    {
        await Gateway.ApplyAsync(Upstream("") + Route);
        await PostAsync("/a", 5);
        var connections = Backend.Connections;
        Assert.True(connections >= 1);

        // The upstream's plan changes (a function), the virtual service too (a route to it).
        await Gateway.ApplyAsync(Upstream("functions:\n- name: extra") + Route + """
            - request_matcher: { path_prefix: /b }
              single_destination: { function: { upstream_name: backend, function_name: extra } }
            """);
        await PostAsync("/a", 5);
        await PostAsync("/b", 5);

        // The backend counts TCP connections: the gateway's pooled one carried everything.
        Assert.Equal(connections, Backend.Connections);
    }

    [Fact]
    public async Task A_new_connect_timeout_is_a_new_pool()
    {
        await Gateway.ApplyAsync(Upstream("") + Route);
        await PostAsync("/a", 3);
        var connections = Backend.Connections;

        await Gateway.ApplyAsync(Upstream("connection_timeout: 3s") + Route);
        await PostAsync("/a", 3);

        // Transport settings changed: the old client is retired and a new connection is made.
        Assert.Equal(connections + 1, Backend.Connections);
    }

    [Fact]
    public async Task An_ejection_survives_a_load_balancing_change()
    {
        await using var backends = await TestBackendPool.StartAsync(2);
        await Gateway.ApplyAsync(backends.Upstream("outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s, max_ejection_percent: 50 }") + PoolRoute);
        backends[1].FailNext(1000, 500);
        for (var i = 0; i < 8 && !await EjectedAsync(backends[1].Port); i++)
        {
            using var _ = await Gateway.Client.GetAsync("/");
        }
        Assert.True(await EjectedAsync(backends[1].Port));

        await Gateway.ApplyAsync(backends.Upstream("outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s, max_ejection_percent: 50 }\nload_balancer: { policy: random }") + PoolRoute);

        Assert.True(await EjectedAsync(backends[1].Port), "the load-balancing change forgot the ejection");
        var before = backends[1].Requests;
        for (var i = 0; i < 20; i++)
        {
            using var response = await Gateway.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(before, backends[1].Requests);
    }

    private const string PoolRoute = """
        name: default
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: pool } }
        """;

    private string Upstream(string extras) => $$"""
        name: backend
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{Backend.Port}} }] }
        {{extras}}
        ---

        """;

    /// <summary>POSTs one after another on the fixture's keep-alive client; POST rules out .NET's silent GET retry.</summary>
    private async Task PostAsync(string path, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await Gateway.Client.PostAsync(path, new StringContent("x"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private async Task<bool> EjectedAsync(int port)
    {
        var clusters = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/clusters"))!.AsArray();
        return (bool)clusters.Single()!["endpoints"]!.AsArray()
            .Single(e => ((string?)e!["address"])!.EndsWith($":{port}", StringComparison.Ordinal))!["ejected"]!;
    }
}
