using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Consul;
using Sluice.Gateway.Endpoints;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Consul;

/// <summary>
/// <c>type: consul</c> upstreams served by a real gateway on loopback, their endpoints taken from
/// a FAKE Consul agent (<see cref="FakeConsulAgent"/>: no Consul agent can be installed here; the
/// fake follows Consul's HTTP API reference for blocking queries, health entries and filters)
/// and pointing at real backends.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ConsulEndpointTests : IAsyncLifetime
{
    private const string Config = """
        name: pets
        type: consul
        spec: { service_name: pets }
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: pets } }

        """;

    private FakeConsulAgent _agent = null!;
    private TestBackendPool _backends = null!;
    private GatewayFixture? _gateway;
    private ConsulEndpointSource? _source;

    private GatewayFixture Gateway => _gateway!;

    public async Task InitializeAsync()
    {
        _agent = await FakeConsulAgent.StartAsync();
        _backends = await TestBackendPool.StartAsync(3);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        _source?.Dispose();
        await _backends.DisposeAsync();
        await _agent.DisposeAsync();
    }

    [Fact]
    public async Task An_instance_with_a_failing_check_gets_no_traffic()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        _agent.Register("pets-1", "pets", _backends[1].Port, node: "node-2", check: "critical");
        _agent.Register("pets-2", "pets", _backends[2].Port, node: "node-3", check: "warning");
        await StartAsync(Config);
        await ServedByAsync(_backends[0].Name);

        var answered = await CountAnswersAsync(30);
        Assert.Equal(30, answered.GetValueOrDefault(_backends[0].Name));
        Assert.Equal(0, _backends[1].Requests);
        Assert.Equal(0, _backends[2].Requests);
        Assert.All(_agent.Queries, q => Assert.True(q.Passing, "every health query asks for passing instances only"));

        // The check, and nothing else, kept it out: once it passes, the instance takes requests.
        _agent.SetCheck("pets-1", "passing");
        await ServedByAsync(_backends[1].Name);
    }

    [Fact]
    public async Task Instances_added_and_removed_are_endpoint_only_updates_without_a_new_translation()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        // Consul's default wait (5 minutes): only a query answered on change can pass this test.
        await StartAsync(Config, new ConsulOptions { Address = _agent.Address });
        await ServedByAsync(_backends[0].Name);
        var metrics = Gateway.Server.Telemetry.Metrics;
        var reloads = metrics.ReloadSuccesses.Value;
        var updates = metrics.EndpointUpdates("pets");

        _agent.Register("pets-1", "pets", _backends[1].Port, node: "node-2");
        await ServedByAsync(_backends[1].Name);
        Assert.Equal(updates + 1, metrics.EndpointUpdates("pets"));

        _agent.Deregister("pets-0");
        await OnlyServedByAsync(_backends[1].Name);
        Assert.Equal(updates + 2, metrics.EndpointUpdates("pets"));
        Assert.Equal(reloads, metrics.ReloadSuccesses.Value);
    }

    [Fact]
    public async Task An_unchanged_service_costs_one_blocking_query_per_wait()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        await StartAsync(Config, Options() with { Wait = TimeSpan.FromSeconds(1) });
        await ServedByAsync(_backends[0].Name);

        var before = _agent.QueriesFor("pets");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var queries = _agent.QueriesFor("pets") - before;
        var waits = (int)watch.Elapsed.TotalSeconds;

        // One query per second of waiting (each held for its 1 s wait), give or take the ones in
        // flight at either end; a client that did not block would have sent thousands.
        Assert.InRange(queries, 1, waits + 2);
        var health = _agent.Queries.Where(q => q.Path == "/v1/health/service/pets").ToList();
        Assert.Null(health[0].Index);
        Assert.All(health.Skip(1), q =>
        {
            Assert.True(q.Index > 0, "after the first read every query waits on an index");
            Assert.Equal("1000ms", q.Wait);
        });
    }

    [Fact]
    public async Task The_agent_down_then_back_keeps_the_last_endpoints_and_resumes()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        await StartAsync(Config);
        await ServedByAsync(_backends[0].Name);

        await _agent.StopAsync();
        // Consul is gone: what it said last keeps serving.
        Assert.Equal(_backends[0].Name, await AnswerAsync());
        _agent.Deregister("pets-0");
        _agent.Register("pets-1", "pets", _backends[1].Port);
        var queriedBefore = _agent.Queries.Count;
        await _agent.RestartAsync();

        await OnlyServedByAsync(_backends[1].Name);
        // The restarted agent counts its index from 1: the client read afresh instead of waiting
        // on its old, higher index.
        Assert.Null(_agent.Queries.Skip(queriedBefore).First(q => q.Path == "/v1/health/service/pets").Index);
    }

    [Fact]
    public async Task An_index_that_goes_backwards_is_reset_to_a_fresh_read()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        await StartAsync(Config, Options() with { Wait = TimeSpan.FromSeconds(1) });
        await ServedByAsync(_backends[0].Name);
        var waitedOn = _agent.Queries.Last(q => q.Path == "/v1/health/service/pets").Index;
        Assert.True(waitedOn > 1);

        _agent.LowerIndexes();
        _agent.Register("pets-1", "pets", _backends[1].Port, node: "node-2");
        await ServedByAsync(_backends[1].Name);

        // After the answer with the lower index, the next query had none (index 0: a plain read).
        var queries = _agent.Queries.Where(q => q.Path == "/v1/health/service/pets").ToList();
        Assert.Contains(queries.Skip(1), q => q.Index is null);
    }

    [Fact]
    public async Task Tags_datacenters_and_the_node_address_select_and_locate_instances()
    {
        // pets-0 registered no address of its own: Consul's answer has Service.Address "", and the
        // node's address is used. pets-1's node sits on an unreachable address, its service on loopback.
        _agent.Register("pets-0", "pets", _backends[0].Port, tags: ["v1", "primary"]);
        _agent.Register("pets-1", "pets", _backends[1].Port, address: "127.0.0.1", node: "node-2", nodeAddress: "192.0.2.1", tags: ["v1"], dataCenter: "dc2");
        _agent.Register("pets-2", "pets", _backends[2].Port, node: "node-3", tags: ["v2"]);
        await StartAsync(Config.Replace("spec: { service_name: pets }", "spec: { service_name: pets, service_tags: [v1], data_centers: [dc1, dc2] }"));

        await ServedByAsync(_backends[0].Name);
        await ServedByAsync(_backends[1].Name);
        await CountAnswersAsync(20);
        Assert.Equal(0, _backends[2].Requests);
        Assert.Contains(_agent.Queries, q => q.DataCenter == "dc2" && q.Tags.SequenceEqual(["v1"]));
    }

    [Fact]
    public async Task The_acl_token_goes_with_every_query()
    {
        await using var agent = await FakeConsulAgent.StartAsync(requiredToken: "s3cr3t");
        agent.Register("pets-0", "pets", _backends[0].Port);
        await StartAsync(Config, Options() with { Address = agent.Address, Token = "s3cr3t" });

        await ServedByAsync(_backends[0].Name);
        Assert.All(agent.Queries, q => Assert.Equal("s3cr3t", q.Token));
    }

    [Fact]
    public async Task Endpoint_churn_neither_restarts_health_thresholds_nor_probes_early()
    {
        _agent.Register("pets-0", "pets", _backends[0].Port);
        await StartAsync("""
            name: pets
            type: consul
            spec: { service_name: pets }
            health_checks:
            - { interval: 400ms, timeout: 300ms, unhealthy_threshold: 3, healthy_threshold: 1, http_health_check: { path: /healthz } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: pets } }

            """);
        await ServedByAsync(_backends[0].Name);
        var updates = Gateway.Server.Telemetry.Metrics.EndpointUpdates("pets");

        // Another instance comes and goes every 100 ms: four endpoint updates per probe interval.
        // Each one starts a checker for the new model; before, each started the failure count
        // again (so three failures in a row never happened) and probed at once.
        _backends[0].Healthy = false;
        var probesBefore = _backends[0].Requests;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var churning = new CancellationTokenSource();
        var churn = Task.Run(async () =>
        {
            for (var up = true; !churning.IsCancellationRequested; up = !up)
            {
                if (up)
                {
                    _agent.Register("pets-1", "pets", _backends[1].Port, node: "node-2");
                }
                else
                {
                    _agent.Deregister("pets-1");
                }
                await Task.Delay(100);
            }
        });
        try
        {
            await Eventually.HoldsAsync(
                async () => (await Gateway.Admin.GetStringAsync("/metrics")).Contains($"sluice_upstream_endpoint_healthy{{upstream=\"pets\",endpoint=\"127.0.0.1:{_backends[0].Port}\"}} 0"),
                "pets-0 marked unhealthy after three failed probes while the endpoints churned");
        }
        finally
        {
            await churning.CancelAsync();
            await churn;
        }
        var elapsed = watch.Elapsed;
        var probes = _backends[0].Requests - probesBefore;

        Assert.True(Gateway.Server.Telemetry.Metrics.EndpointUpdates("pets") >= updates + 4, "the endpoints churned");
        // One probe per 400 ms interval (plus the rounds in flight at either end), however many
        // updates came; the metrics scrapes above go to the admin port, not to the backend.
        Assert.InRange(probes, 3, (int)(elapsed / TimeSpan.FromMilliseconds(400)) + 2);
    }

    private ConsulOptions Options() => new()
    {
        Address = _agent.Address,
        MinRetryDelay = TimeSpan.FromMilliseconds(100),
        MaxRetryDelay = TimeSpan.FromMilliseconds(400),
    };

    private async Task StartAsync(string config, ConsulOptions? options = null)
    {
        _source = new ConsulEndpointSource(options ?? Options(), NullLoggerFactory.Instance);
        _gateway = await GatewayFixture.StartAsync(endpointSources: new EndpointSources([_source]));
        await Gateway.ApplyAsync(config);
    }

    /// <summary>Which backend answered one request (x-backend), or the gateway's status when none did.</summary>
    private async Task<string> AnswerAsync()
    {
        using var response = await Gateway.Client.GetAsync("/");
        return response.Headers.TryGetValues("x-backend", out var names) ? names.Single() : $"status {(int)response.StatusCode}";
    }

    private async Task<Dictionary<string, int>> CountAnswersAsync(int requests)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            var name = await AnswerAsync();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return counts;
    }

    /// <summary>Until a request reaches <paramref name="backend"/>.</summary>
    private Task ServedByAsync(string backend) =>
        Eventually.HoldsAsync(async () => await AnswerAsync() == backend, $"a request answered by {backend}");

    /// <summary>Until 10 requests in a row reach <paramref name="backend"/> and no other.</summary>
    private Task OnlyServedByAsync(string backend) =>
        Eventually.HoldsAsync(async () => (await CountAnswersAsync(10)).Keys.SequenceEqual([backend]), $"only {backend} answering");
}
