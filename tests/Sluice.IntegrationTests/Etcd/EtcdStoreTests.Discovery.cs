using System.Text;
using System.Text.Json;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Storage;
using Sluice.Tests.Storage;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// What function discovery found, kept by the etcd store under its own keys: compare-and-swap on
/// the record's mod revision, artifacts written and removed with their record, a write that wakes
/// watchers, and the leader fence that keeps a standby controller from writing.
/// </summary>
public sealed partial class EtcdStoreTests
{
    [Fact]
    public async Task Discovered_records_live_under_their_own_keys_with_compare_and_swap_and_their_files()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using var store = etcd.Store(prefix);
        await store.CreateAsync(EtcdObjects.Upstream("grpc", 1), None);
        await using var stream = new SnapshotStream(store);
        Assert.Empty((await stream.NextAsync(Wait))!.Discovered);

        var first = await store.WriteDiscoveryAsync("grpc", Record("v1", ("grpc-discovery:grpc.descriptors", [1, 2, 3])), None);
        Assert.Null(await store.ReadDiscoveryAsync("ghost", None));
        await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("grpc", Record("again"), None));

        // A discovery write is a change for watchers: the record and its file arrive together.
        var seen = await stream.WaitForAsync(s => s.Discovered.ContainsKey("grpc"), Wait);
        Assert.Equal(first.Version, seen.Discovered["grpc"].Version);
        Assert.Equal("Echo", Assert.Single(seen.Discovered["grpc"].Functions).Name);
        Assert.Equal(new byte[] { 1, 2, 3 }, seen.Files["grpc-discovery:grpc.descriptors"].ToArray());
        // The record is beside the object, never in it: the upstream's own key did not move.
        Assert.Equal(Assert.Single((await store.LoadAsync(None)).Upstreams).Metadata.ResourceVersion,
            Assert.Single(seen.Upstreams).Metadata.ResourceVersion);

        var read = (await store.ReadDiscoveryAsync("grpc", None))!;
        Assert.True(read.SameContent(first), "read back as written");
        var second = await store.WriteDiscoveryAsync("grpc", Record("v2", ("grpc-discovery:grpc.v2.descriptors", [9])) with { Version = read.Version }, None);
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("grpc", Record("v3") with { Version = first.Version }, None));
        Assert.Contains($"version {first.Version} is stale (current is {second.Version})", stale.Message);

        // The artifact the old record named went with it; the new one is there.
        var files = await store.ReadRawAsync(EtcdKeyClass.DiscoveredFile, None);
        Assert.Equal(["grpc-discovery:grpc.v2.descriptors"], files.Keys);

        await store.DeleteDiscoveryAsync("grpc", None);
        await store.DeleteDiscoveryAsync("grpc", None);
        Assert.Null(await store.ReadDiscoveryAsync("grpc", None));
        Assert.Empty(await store.ReadRawAsync(EtcdKeyClass.DiscoveredFile, None));
        var after = await stream.WaitForAsync(s => s.Discovered.Count == 0, Wait);
        Assert.False(after.Files.ContainsKey("grpc-discovery:grpc.v2.descriptors"));
    }

    [Fact]
    public async Task Only_the_leading_controller_writes_discovered_records_and_statuses()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        var options = etcd.Options(prefix) with { LeaseTtl = TimeSpan.FromSeconds(2) };
        using var first = new EtcdStore(options);
        using var second = new EtcdStore(options);
        var upstream = await first.CreateAsync(EtcdObjects.Upstream("pets", 1), None);
        var one = new EtcdLeaderElection(first, campaign: true, identity: "one");
        var two = new EtcdLeaderElection(second, campaign: true, identity: "two");
        await using (two)
        {
            one.Start();
            await ScaleOutFixture.WaitAsync(() => Task.FromResult(one.IsLeader), Wait, "'one' leading");
            two.Start();
            await ScaleOutFixture.WaitAsync(() => Task.FromResult(two.Leader == "one"), Wait, "'two' seeing 'one' lead");

            // The standby writes nothing: not a record, not a status.
            var refused = await Assert.ThrowsAsync<StoreConflictException>(() => second.WriteDiscoveryAsync("pets", Record("standby"), None));
            Assert.Contains("does not lead the controllers", refused.Message);
            await Assert.ThrowsAsync<StoreConflictException>(() => second.WriteStatusAsync(ConfigKind.Upstream, "pets", upstream.Metadata.ResourceVersion, Status.Accepted, None));
            var written = await first.WriteDiscoveryAsync("pets", Record("leader"), None);
            await Assert.ThrowsAsync<StoreConflictException>(() => second.DeleteDiscoveryAsync("pets", None));
            Assert.Equal("leader", (await second.ReadDiscoveryAsync("pets", None))!.Source);

            // The leader leaves: the standby takes over and writes; the old leader no longer can.
            await one.DisposeAsync();
            await ScaleOutFixture.WaitAsync(() => Task.FromResult(two.IsLeader), TimeSpan.FromSeconds(10), "'two' taking over");
            await second.WriteDiscoveryAsync("pets", Record("successor") with { Version = written.Version }, None);
            await Assert.ThrowsAsync<StoreConflictException>(() => first.DeleteDiscoveryAsync("pets", None));
            Assert.Equal("successor", (await first.ReadDiscoveryAsync("pets", None))!.Source);
        }
    }

    [Fact]
    public async Task A_fence_from_an_earlier_term_refuses_a_late_write()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using var store = etcd.Store(prefix);
        // A process that campaigned and led once: its fence names a leader key that is gone now.
        store.LeadersOnly = true;
        using var other = etcd.Store(prefix);
        using (var client = new dotnet_etcd.EtcdClient(etcd.Cluster.EndpointList))
        {
            var put = await client.PutAsync(prefix + "leader", "someone else");
            store.Fence = new LeaderFence(put.Header.Revision - 1);
        }
        var refused = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("pets", Record("late"), None));
        Assert.Contains("no longer leads the controllers", refused.Message);
        Assert.Null(await other.ReadDiscoveryAsync("pets", None));
    }

    [Fact]
    public async Task Sluice_discover_and_function_get_work_against_etcd()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        string[] flags = ["--store", "etcd", "--etcd-endpoints", etcd.Cluster.EndpointList, "--etcd-prefix", prefix];
        await using var backend = await Discovery.DocumentBackend.StartAsync();
        backend.Serve("/openapi.json", await File.ReadAllBytesAsync(Path.Combine(Discovery.Discover.TestData("openapi"), "v3.0-petstore.yaml")), "application/yaml");
        (await Cli.CliRun.RunWithInputAsync(Discovery.Discover.Upstream("petstore", backend.Port), ["apply", "-f", "-", .. flags])).AssertExit(0);

        var discover = (await Cli.CliRun.RunAsync(["discover", .. flags])).AssertExit(0);
        Assert.Matches(@"petstore\s+found\s+3\s+http://127\.0\.0\.1:\d+/openapi\.json", discover.Out);
        var functions = (await Cli.CliRun.RunAsync(["function", "get", "-u", "petstore", .. flags])).AssertExit(0);
        Assert.Matches(@"petstore\s+showPetById\s+discovered\s+http://127\.0\.0\.1:\d+/openapi\.json", functions.Out);
        using var store = etcd.Store(prefix);
        Assert.Equal(3, (await store.ReadDiscoveryAsync("petstore", None))!.Functions.Count);
    }

    private static DiscoveryRecord Record(string source, params (string Ref, byte[] Bytes)[] files) => new()
    {
        Source = source,
        ServiceInfo = new ServiceInfo { Type = "gRPC" },
        Functions = new([new UpstreamFunction { Name = "Echo", Spec = new Struct(JsonDocument.Parse("""{"service": "echo.Echo", "method": "Echo"}""").RootElement), Discovered = new DiscoveryOrigin { Source = source, DiscoveredAt = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero) } }]),
        Problems = new(["one operation skipped"]),
        Files = files.ToDictionary(f => f.Ref, f => (ReadOnlyMemory<byte>)f.Bytes, StringComparer.Ordinal),
    };
}
