using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using dotnet_etcd;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// Three gateway processes and two controller processes on a real three-member etcd cluster:
/// changes reach every gateway, one controller writes statuses and a standby takes over, and
/// gateways keep serving through member and whole-cluster outages.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ScaleOutTests(ScaleOutFixture deployment, ITestOutputHelper output) : IClassFixture<ScaleOutFixture>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(20);
    private static int _changes;

    private static string NextPrefix() => $"/c{Interlocked.Increment(ref _changes)}";

    [Fact]
    public async Task A_change_applied_through_the_CLI_is_served_by_all_three_gateways()
    {
        Assert.Equal(3, deployment.Gateways.Count);
        Assert.Equal(2, deployment.Controllers.Count);
        var times = new List<double>();
        var prefixes = new List<string> { "/v1" };
        for (var i = 0; i < 5; i++)
        {
            var prefix = NextPrefix();
            prefixes.Add(prefix);
            Assert.False(await deployment.AllServeAsync(prefix));
            var stopwatch = Stopwatch.StartNew();
            await deployment.ApplyAsync(ScaleOutFixture.Site([.. prefixes]));
            await deployment.WaitExplainedAsync(() => deployment.AllServeAsync(prefix), Propagation, $"{prefix} served by all gateways");
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        // The figure the closing note states: from `sluice apply` starting to the last gateway serving.
        output.WriteLine($"propagation over {times.Count} changes: median {times[times.Count / 2]:F0} ms, max {times[^1]:F0} ms");
    }

    [Fact]
    public async Task Statuses_are_written_once_by_the_leader_and_a_standby_takes_over_within_the_lease_after_SIGKILL()
    {
        var leader = await WaitForOneLeaderAsync();
        var standby = deployment.Controllers.Single(c => c != leader);
        var before = await StatusKeyAsync(ConfigKind.Upstream, "backend");
        Assert.NotNull(before);
        Assert.Contains("Accepted", before!.Value.ToStringUtf8());

        await leader.KillAsync();
        var killed = Stopwatch.StartNew();
        await ScaleOutFixture.WaitAsync(async () => (await standby.DetailAsync()).GetProperty("is_leader").GetBoolean(), TimeSpan.FromSeconds(30), "takeover by the standby");
        var takeover = killed.Elapsed;
        var upstream = $"fresh{Interlocked.Increment(ref _changes)}";
        await deployment.ApplyAsync(Infrastructure.TestConfig.Upstream(upstream, deployment.BackendPort));
        await ScaleOutFixture.WaitAsync(async () => (await StatusKeyAsync(ConfigKind.Upstream, upstream))?.Value.ToStringUtf8().Contains("Accepted") == true,
            TimeSpan.FromSeconds(20), "the new leader's verdict on the new upstream");
        output.WriteLine($"standby led {takeover.TotalMilliseconds:F0} ms after the leader was killed (lease {ScaleOutFixture.LeaseTtl.TotalSeconds} s)");

        // The lease lapses at most one TTL after the last renewal; etcd checks expiry every 0.5 s
        // and the standby polls five times per TTL. The rest is margin for a loaded machine.
        Assert.True(takeover < ScaleOutFixture.LeaseTtl + TimeSpan.FromSeconds(2), $"takeover took {takeover.TotalMilliseconds:F0} ms");
        // The verdict on the unchanged upstream was not written again by the new leader.
        var after = await StatusKeyAsync(ConfigKind.Upstream, "backend");
        Assert.Equal(before.ModRevision, after!.ModRevision);

        leader.Launch();
        await leader.WaitReadyAsync(TimeSpan.FromSeconds(60));
        Assert.False((await leader.DetailAsync()).GetProperty("is_leader").GetBoolean());
    }

    [Fact]
    public async Task With_one_member_killed_changes_still_propagate()
    {
        await deployment.Cluster.KillAsync(1);
        try
        {
            await deployment.Cluster.WaitQuorumAsync();
            var prefix = NextPrefix();
            await deployment.ApplyAsync(ScaleOutFixture.Site("/v1", prefix));
            await deployment.WaitExplainedAsync(() => deployment.AllServeAsync(prefix), Propagation, $"{prefix} served by all gateways with a member down");
        }
        finally
        {
            await deployment.Cluster.RestartAsync(1);
        }
    }

    [Fact]
    public async Task With_all_of_etcd_stopped_gateways_keep_answering_and_say_so_then_converge()
    {
        await deployment.WaitExplainedAsync(() => deployment.AllServeAsync("/v1"), Propagation, "/v1 served");
        await deployment.Cluster.KillAllAsync();
        try
        {
            foreach (var gateway in deployment.Gateways)
            {
                await ScaleOutFixture.WaitAsync(async () => !(await gateway.DetailAsync()).GetProperty("store").GetProperty("reachable").GetBoolean(),
                    TimeSpan.FromSeconds(20), $"{gateway.Name} noticing etcd is gone");
                var detail = await gateway.DetailAsync();
                Assert.True(detail.GetProperty("ready").GetBoolean());
                Assert.StartsWith("unreachable", detail.GetProperty("store").GetProperty("detail").GetString());
                Assert.Contains("sluice_store_reachable 0", await gateway.AdminGetAsync("/metrics"));
                Assert.Equal(200, await gateway.StatusOfAsync("/v1/still-served"));
            }
        }
        finally
        {
            await deployment.Cluster.StartAllAsync();
        }
        // Changed the moment etcd is back, while the gateways are still retrying: they catch up.
        var prefix = NextPrefix();
        await deployment.ApplyAsync(ScaleOutFixture.Site("/v1", prefix));
        await deployment.WaitExplainedAsync(() => deployment.AllServeAsync(prefix), TimeSpan.FromSeconds(30), $"{prefix} served after etcd returned");
        foreach (var gateway in deployment.Gateways)
        {
            await ScaleOutFixture.WaitAsync(async () => (await gateway.DetailAsync()).GetProperty("store").GetProperty("reachable").GetBoolean(),
                TimeSpan.FromSeconds(20), $"{gateway.Name} reaching etcd again");
        }
    }

    [Fact]
    public async Task Over_1000_changes_while_members_die_every_gateway_ends_on_the_final_config()
    {
        var chaos = Task.Run(async () =>
        {
            for (var member = 0; member < 3; member++)
            {
                await Task.Delay(300);
                await deployment.Cluster.KillAsync(member);
                await Task.Delay(300);
                await deployment.Cluster.RestartAsync(member);
            }
        });
        // Ten writers, a hundred changes each: 1,000 changes, as fast as the cluster commits them.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(writer => Task.Run(async () =>
        {
            for (var change = 0; change < 100; change++)
            {
                var upstream = EtcdObjects.Upstream($"churn{writer}", 30000 + change);
                await RetryAsync(async () =>
                {
                    try
                    {
                        await deployment.Store.UpdateAsync(upstream, CancellationToken.None);
                    }
                    catch (Storage.StoreNotFoundException)
                    {
                        await deployment.Store.CreateAsync(upstream, CancellationToken.None);
                    }
                });
            }
        })));
        await chaos;

        var expected = Versions((await deployment.Store.LoadAsync(CancellationToken.None)).Upstreams.Select(u => (u.Name, u.Metadata.ResourceVersion!)));
        foreach (var gateway in deployment.Gateways)
        {
            await deployment.WaitExplainedAsync(async () => Versions(Served(await gateway.AdminGetAsync("/api/v1/upstreams"))) == expected,
                TimeSpan.FromSeconds(30), $"{gateway.Name} serving the final config");
        }
    }

    [Fact]
    public async Task A_value_that_does_not_parse_is_rejected_with_its_key_named_and_everything_else_serves()
    {
        var key = deployment.Prefix + "objects/upstreams/garbled";
        using (var client = new EtcdClient(deployment.Cluster.EndpointList))
        {
            await client.PutAsync(key, "name: garbled\ntype: static\nspec: {hosts: [oops");
        }
        var prefix = NextPrefix();
        await deployment.ApplyAsync(ScaleOutFixture.Site("/v1", prefix));

        await ScaleOutFixture.WaitAsync(async () => (await StatusKeyAsync(ConfigKind.Upstream, "garbled"))?.Value.ToStringUtf8().Contains("Rejected") == true,
            TimeSpan.FromSeconds(20), "the Rejected verdict on the garbled upstream");
        var status = JsonDocument.Parse((await StatusKeyAsync(ConfigKind.Upstream, "garbled"))!.Value.ToStringUtf8()).RootElement;
        Assert.Contains(key, status.GetProperty("reason").GetString());
        await deployment.WaitExplainedAsync(() => deployment.AllServeAsync(prefix), Propagation, "the other objects served");
    }

    [Fact]
    public async Task A_rolling_restart_behind_a_readiness_checking_balancer_loses_no_request()
    {
        var gateways = deployment.Gateways;
        var ready = gateways.Select(_ => true).ToArray();
        var failures = new List<string>();
        var served = 0;
        using var stop = new CancellationTokenSource();
        // What a load balancer does: probe /readyz often, send only to gateways that pass.
        var probe = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < gateways.Count; i++)
                {
                    try
                    {
                        ready[i] = (await gateways[i].DetailAsync()).GetProperty("ready").GetBoolean();
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                    {
                        ready[i] = false;
                    }
                }
                await Task.Delay(100);
            }
        });
        var traffic = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var pick = Enumerable.Range(0, gateways.Count).Select(i => (i + n) % gateways.Count).FirstOrDefault(i => ready[i], -1);
                if (pick < 0)
                {
                    await Task.Delay(10);
                    continue;
                }
                var status = await gateways[pick].StatusOfAsync("/v1/rolling");
                if (status == 200)
                {
                    Interlocked.Increment(ref served);
                }
                else
                {
                    lock (failures)
                    {
                        failures.Add($"{gateways[pick].Name}: {status}");
                    }
                }
            }
        });

        foreach (var gateway in gateways)
        {
            await gateway.TerminateAsync(TimeSpan.FromSeconds(30));
            gateway.Launch();
            await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(300);
        }
        await stop.CancelAsync();
        await Task.WhenAll(probe, traffic);

        Assert.True(failures.Count == 0, $"{failures.Count} failed of {served + failures.Count}: {string.Join(", ", failures.Take(10))}");
        Assert.True(served > 50, $"only {served} requests were sent");
    }

    [Fact]
    public async Task The_leading_controller_discovers_functions_and_every_gateway_serves_them_while_the_standby_writes_nothing()
    {
        await using var backend = await Discovery.DocumentBackend.StartAsync();
        backend.EchoOthers = true;
        backend.Serve("/openapi.json", await File.ReadAllBytesAsync(Path.Combine(Discovery.Discover.TestData("openapi"), "v3.0-petstore.yaml")), "application/yaml");
        var leader = await WaitForOneLeaderAsync();
        var standby = deployment.Controllers.Single(c => c != leader);

        await deployment.ApplyAsync($$"""
            {{Discovery.Discover.Upstream("petstore", backend.Port)}}
            ---
            name: pets
            domains: [pets.example]
            routes:
            - request_matcher: { path_prefix: /pet/ }
              single_destination: { function: { upstream_name: petstore, function_name: showPetById } }
              extensions: { parameters: { path: '/pet/{petId}' } }
            """);

        // Nobody wrote showPetById: the gateways serve it once the leader's discovery stored it.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        async Task<bool> AllServePet()
        {
            foreach (var gateway in deployment.Gateways)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, gateway.Traffic + "/pet/42") { Headers = { Host = "pets.example" } };
                using var response = await http.SendAsync(request);
                if ((int)response.StatusCode != 200 || !(await response.Content.ReadAsStringAsync()).Contains("\"/v1/pets/42\"", StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }
        await deployment.WaitExplainedAsync(AllServePet, Propagation, "the discovered function served by all gateways");

        var record = (await deployment.Store.ReadDiscoveryAsync("petstore", CancellationToken.None))!;
        Assert.Contains(record.Functions, f => f.Name == "showPetById" && f.Discovered!.Source == $"{backend.Address}/openapi.json");
        // Waited for, not read once: a full run on a loaded machine once read "pending" here after the
        // gateways served the function. Any re-examination (a new term, as after a late lease
        // renewal, starts every upstream again) passes through pending.
        async Task<bool> LeaderReportsFound()
        {
            var led = JsonDocument.Parse(await leader.AdminGetAsync("/api/v1/discovery")).RootElement;
            return led.GetProperty("leading").GetBoolean()
                && led.GetProperty("upstreams").EnumerateArray().Any(u => u.GetProperty("upstream").GetString() == "petstore" && u.GetProperty("state").GetString() == "found");
        }
        await deployment.WaitExplainedAsync(LeaderReportsFound, Propagation, "the leader reporting petstore found");
        var stood = JsonDocument.Parse(await standby.AdminGetAsync("/api/v1/discovery")).RootElement;
        Assert.False(stood.GetProperty("leading").GetBoolean());
        Assert.Empty(stood.GetProperty("upstreams").EnumerateArray());
        // The standby never examined the upstream (it logs one line per state change of one).
        Assert.DoesNotContain("Upstream petstore:", standby.Output);
        Assert.Contains("Upstream petstore: discovered", leader.Output);
    }

    private async Task<SluiceProcess> WaitForOneLeaderAsync()
    {
        SluiceProcess? leader = null;
        await ScaleOutFixture.WaitAsync(async () =>
        {
            var leaders = new List<SluiceProcess>();
            foreach (var controller in deployment.Controllers.Where(c => !c.HasExited))
            {
                if ((await controller.DetailAsync()).GetProperty("is_leader").GetBoolean())
                {
                    leaders.Add(controller);
                }
            }
            leader = leaders.Count == 1 ? leaders[0] : null;
            return leader is not null;
        }, TimeSpan.FromSeconds(30), "exactly one leading controller");
        return leader!;
    }

    private async Task<Mvccpb.KeyValue?> StatusKeyAsync(ConfigKind kind, string name)
    {
        var response = await deployment.Store.RangeAsync(new Etcdserverpb.RangeRequest { Key = EtcdStore.Bytes(deployment.Store.Keys.Status(kind, name)) }, CancellationToken.None);
        return response.Kvs.FirstOrDefault();
    }

    /// <summary>
    /// What a gateway serves from what the store holds. An object that never loaded (the garbled
    /// key of another test in this deployment) is listed with <c>"loaded": false</c>: not served.
    /// </summary>
    private static IEnumerable<(string Name, string Version)> Served(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Where(u => !(u.TryGetProperty("status", out var status) && status.TryGetProperty("loaded", out var loaded) && loaded.ValueKind == JsonValueKind.False))
            .Select(u => (u.GetProperty("name").GetString()!, u.GetProperty("metadata").GetProperty("resource_version").GetString()!));

    private static string Versions(IEnumerable<(string Name, string Version)> objects) =>
        string.Join(",", objects.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => $"{o.Name}@{o.Version}"));

    private static async Task RetryAsync(Func<Task> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (Exception e) when (attempt < 30 && e is EtcdUnavailableException or Storage.StoreConflictException)
            {
                await Task.Delay(100);
            }
        }
    }
}
