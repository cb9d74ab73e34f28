using System.Net;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// One connection per upstream server, shared by concurrent requests, kept across reloads that
/// leave its connection settings unchanged (whatever else of the upstream changed), replaced
/// when they change, and closed when the gateway stops (counted by nats-server's /connz).
/// </summary>
public sealed class NatsConnectionLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Upstream_keeps_one_shared_connection_and_closes_it_on_shutdown()
    {
        var monitorPort = FreePorts.Next();
        await using var nats = await NatsServer.StartAsync($"http: \"127.0.0.1:{monitorPort}\"");
        using var monitor = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{monitorPort}") };
        var gateway = await GatewayFixture.StartAsync(output: output);
        var upstream = $$"""
            name: bus
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats }
            ---

            """;
        await gateway.ApplyAsync(upstream + """
            name: default
            routes:
            - request_matcher: { path_prefix: /a }
              single_destination: { function: { upstream_name: bus, function_name: subject.a } }
            """);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await gateway.Client.PostAsync("/a", new StringContent("x"));
            return response.StatusCode;
        }));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, await ConnectionsAsync(monitor));

        // A reload that changes only routes keeps the connection.
        await gateway.ApplyAsync(upstream + """
            name: default
            routes:
            - request_matcher: { path_prefix: /b }
              single_destination: { function: { upstream_name: bus, function_name: subject.b } }
            """);
        using (var response = await gateway.Client.PostAsync("/b", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(1, await ConnectionsAsync(monitor));
        var connection = await ConnectionIdsAsync(monitor);

        // Publish settings, load balancing and a function change; the connection settings do not.
        await gateway.ApplyAsync($$"""
            name: bus
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { op_timeout: 3s, headers: [x-trace] } }
            load_balancer: { policy: random }
            functions: [{ name: subject.c }]
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /b }
              single_destination: { function: { upstream_name: bus, function_name: subject.b } }
            """);
        using (var response = await gateway.Client.PostAsync("/b", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(connection, await ConnectionIdsAsync(monitor));

        // A connection setting changes: a new connection (the old one retires after a grace period).
        await gateway.ApplyAsync($$"""
            name: bus
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            connection_timeout: 3s
            service_info: { type: nats, properties: { op_timeout: 3s, headers: [x-trace] } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /b }
              single_destination: { function: { upstream_name: bus, function_name: subject.b } }
            """);
        using (var response = await gateway.Client.PostAsync("/b", new StringContent("x")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(2, await ConnectionsAsync(monitor));

        await gateway.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await ConnectionsAsync(monitor) != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the NATS connection outlived the gateway");
            await Task.Delay(20);
        }
    }

    private static async Task<string> ConnectionIdsAsync(HttpClient monitor)
    {
        using var connz = JsonDocument.Parse(await monitor.GetStringAsync("/connz"));
        return string.Join(",", connz.RootElement.GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("cid").GetInt64()));
    }

    private static async Task<long> ConnectionsAsync(HttpClient monitor)
    {
        using var connz = JsonDocument.Parse(await monitor.GetStringAsync("/connz"));
        return connz.RootElement.GetProperty("num_connections").GetInt64();
    }
}
