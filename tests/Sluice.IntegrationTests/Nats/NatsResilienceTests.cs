using System.Net;
using System.Text.Json.Nodes;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// A NATS destination goes through the same resilience loop as HTTP forwarding, its servers
/// being its endpoints. Two real nats-servers: "full" refuses every publish (its JetStream
/// stream is full and discards new messages: a 500 from the server), "good" stores them. Retries
/// move to the other server, consecutive failures eject the failing server, the circuit breaker
/// refuses what is over its limit, and a server that cannot be reached is skipped.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class NatsResilienceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private NatsServer _full = null!;
    private NatsServer _good = null!;
    private RawNatsClient _goodObserver = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _full = await NatsServer.StartAsync();
        _good = await NatsServer.StartAsync();
        await using (var setup = await RawNatsClient.ConnectAsync(_full.Port))
        {
            await setup.CreateStreamAsync("EVT", "\"evt.>\"", ",\"max_msgs\":1,\"discard\":\"new\"");
            await setup.ApiAsync("evt.fill", "first");
        }
        _goodObserver = await RawNatsClient.ConnectAsync(_good.Port);
        await _goodObserver.CreateStreamAsync("EVT", "\"evt.>\"");
        await _goodObserver.SubscribeAsync("hold.>");
        _gateway = await GatewayFixture.StartAsync(output: output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _goodObserver.DisposeAsync();
        await _good.DisposeAsync();
        await _full.DisposeAsync();
    }

    private Task ApplyAsync(string servers, string upstreamExtras, string routeExtensions = "{}") => _gateway.ApplyAsync($$"""
        name: js
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{_good.Port}} }] }
        service_info: { type: nats, properties: { jetstream: true, op_timeout: 2s, servers: [{{servers}}] } }
        {{upstreamExtras}}
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: /publish }
          single_destination: { function: { upstream_name: js, function_name: evt.http } }
          extensions: {{routeExtensions}}
        - request_matcher: { path_prefix: /hold }
          single_destination: { function: { upstream_name: js, function_name: hold.http } }
        """);

    private string BothServers => $"\"127.0.0.1:{_full.Port}\", \"127.0.0.1:{_good.Port}\"";

    private async Task<List<HttpStatusCode>> PublishAsync(int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await _gateway.Client.PostAsync("/publish", new StringContent($"m{i}"));
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    private async Task<long> StoredOnGoodAsync() => await _goodObserver.StreamMessageCountAsync("EVT");

    [Fact]
    public async Task Without_resilience_settings_half_the_publishes_fail_on_the_full_server()
    {
        // The baseline the other tests improve on: round robin over both servers, nothing else.
        await ApplyAsync(BothServers, "");
        var statuses = await PublishAsync(10);
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.InternalServerError));
        Assert.Equal(5, await StoredOnGoodAsync());
    }

    [Fact]
    public async Task A_refused_publish_is_retried_on_the_other_server()
    {
        await ApplyAsync(BothServers, "", "{ retries: { retry_on: [5xx], num_retries: 1 } }");
        var statuses = await PublishAsync(10);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(10, await StoredOnGoodAsync());
    }

    [Fact]
    public async Task Consecutive_refusals_eject_the_failing_server()
    {
        await ApplyAsync(BothServers, "outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s, max_ejection_percent: 50 }");
        var statuses = await PublishAsync(12);

        // The full server failed twice in a row (every other request), then was out.
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.InternalServerError));
        Assert.Equal(10, await StoredOnGoodAsync());
        var endpoints = await EndpointsAsync();
        Assert.True((bool)endpoints[$":{_full.Port}"]!["ejected"]!);
        Assert.False((bool)endpoints[$":{_good.Port}"]!["ejected"]!);
    }

    [Fact]
    public async Task Circuit_breaker_refuses_a_publish_while_one_is_in_flight()
    {
        // hold.http is heard by a listener that never replies: a JetStream publish there waits its op_timeout.
        await ApplyAsync($"\"127.0.0.1:{_good.Port}\"", "circuit_breakers: { max_requests: 1 }");
        var held = _gateway.Client.PostAsync("/hold", new StringContent("wait"));
        var heard = await _goodObserver.NextAsync();
        Assert.Equal("hold.http", heard.Subject);

        using var refused = await _gateway.Client.PostAsync("/publish", new StringContent("x"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("circuit_breaker_open", refused.Headers.GetValues("x-sluice-error").Single());

        using var timedOut = await held;
        Assert.Equal(HttpStatusCode.RequestTimeout, timedOut.StatusCode);
        using var after = await _gateway.Client.PostAsync("/publish", new StringContent("y"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_skipped()
    {
        var dead = FreePorts.Next();
        _gateway.Logs.Expect($"Fail to connect NATS nats://127.0.0.1:{dead}", "nothing listens on that port on purpose; the NATS client logs each refused connect as an error");
        await ApplyAsync($"\"127.0.0.1:{dead}\", \"127.0.0.1:{_good.Port}\"", "");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((bool)(await EndpointsAsync())[$":{dead}"]!["reachable"]!)
        {
            Assert.True(DateTime.UtcNow < deadline, "the unreachable server was not reported within 5 s");
            await Task.Delay(50);
        }

        var statuses = await PublishAsync(6);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(6, await StoredOnGoodAsync());
    }

    /// <summary>The upstream's endpoints on the admin API, by ":port".</summary>
    private async Task<Dictionary<string, JsonNode>> EndpointsAsync()
    {
        var clusters = JsonNode.Parse(await _gateway.Admin.GetStringAsync("/api/v1/clusters"))!.AsArray();
        return clusters.Single(c => (string?)c!["name"] == "js")!["endpoints"]!.AsArray()
            .ToDictionary(e => ((string)e!["address"]!)[((string)e["address"]!).LastIndexOf(':')..], e => e!);
    }
}
