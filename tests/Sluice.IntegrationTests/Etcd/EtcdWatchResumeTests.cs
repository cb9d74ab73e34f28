using Sluice.IntegrationTests.Infrastructure;
using Sluice.Hosting;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Gateway;
using Sluice.Storage;
using Sluice.Tests.Storage;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// A watch survives its connection: members are killed and restarted under it, and a revision
/// compacted away while it was cut off makes it list again. Own cluster (members die here).
/// </summary>
public sealed class EtcdWatchResumeTests(EtcdClusterFixture etcd) : IClassFixture<EtcdClusterFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_watch_broken_mid_stream_misses_no_change_over_1000_changes()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using var writer = etcd.Store(prefix);
        using var watcher = etcd.Store(prefix);
        await using var stream = new SnapshotStream(watcher);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(15)));

        // 1,000 changes over 20 objects: creates, updates and deletes, while each member in turn
        // is killed and restarted, so the watch's own connection breaks at least once.
        var expected = new Dictionary<string, int>();
        var chaos = Task.Run(async () =>
        {
            for (var member = 0; member < 3; member++)
            {
                await Task.Delay(400);
                await etcd.Cluster.KillAsync(member);
                await Task.Delay(300);
                await etcd.Cluster.RestartAsync(member);
            }
        });
        for (var change = 0; change < 1000; change++)
        {
            var name = $"u{change % 20}";
            await RetryAsync(async () =>
            {
                if (change % 97 == 0 && expected.ContainsKey(name))
                {
                    await Ignore<StoreNotFoundException>(() => writer.DeleteAsync(ConfigKind.Upstream, name, None));
                    expected.Remove(name);
                }
                else if (!expected.ContainsKey(name))
                {
                    await Ignore<StoreConflictException>(() => writer.CreateAsync(EtcdObjects.Upstream(name, 1000 + change), None));
                    expected[name] = 1000 + change;
                }
                else
                {
                    await writer.UpdateAsync(EtcdObjects.Upstream(name, 1000 + change), None);
                    expected[name] = 1000 + change;
                }
            });
        }
        await chaos;

        var final = await stream.WaitForAsync(s => Ports(s).SequenceEqual(expected.OrderBy(e => e.Key, StringComparer.Ordinal)), TimeSpan.FromSeconds(30));
        Assert.Equal(expected.Count, final.Upstreams.Count);
    }

    [Fact]
    public async Task Compaction_during_a_disconnect_leads_to_a_relist()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using var writer = etcd.Store(prefix, [etcd.Cluster.Endpoints[1], etcd.Cluster.Endpoints[2]]);
        var log = new RecordingLoggerProvider();
        // The watcher talks to member 0 only, so killing it cuts the watch off.
        using var watcher = etcd.Store(prefix, [etcd.Cluster.Endpoints[0]], log.CreateLogger("etcd"));
        await writer.CreateAsync(EtcdObjects.Upstream("kept", 1), None);
        await writer.CreateAsync(EtcdObjects.Upstream("deleted", 2), None);
        await using var stream = new SnapshotStream(watcher);
        Assert.Equal(2, (await stream.NextAsync(TimeSpan.FromSeconds(15)))!.Upstreams.Count);

        await etcd.Cluster.KillAsync(0);
        await etcd.Cluster.WaitQuorumAsync();
        await writer.DeleteAsync(ConfigKind.Upstream, "deleted", None);
        await writer.UpdateAsync(EtcdObjects.Upstream("kept", 3), None);
        var created = await writer.CreateAsync(EtcdObjects.Upstream("new", 4), None);
        await writer.CallAsync(o => writer.Connection.KVClient.CompactAsync(
            new Etcdserverpb.CompactionRequest { Revision = long.Parse(created.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture), Physical = true }, o), None);
        Assert.True(await WaitReachableAsync(watcher, false), "the watcher should notice that member 0 is gone");
        await etcd.Cluster.RestartAsync(0);

        var snapshot = await stream.WaitForAsync(s => s.Upstreams.Count == 2 && s.Upstreams.Any(u => u.Name == "new"), TimeSpan.FromSeconds(30));
        Assert.Equal(3, EtcdObjects.PortOf(snapshot.Upstreams.Single(u => u.Name == "kept")));
        Assert.Contains(log.Lines, e => e.Id.Id == Sluice.Etcd.EtcdEventIds.StoreRelisted);
        Assert.True(await WaitReachableAsync(watcher, true), watcher.Health.Detail);
    }

    [Fact]
    public async Task A_gateway_started_while_etcd_is_down_waits_says_so_once_then_serves()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using (var writer = etcd.Store(prefix))
        {
            await writer.CreateAsync(EtcdObjects.Upstream("a", 1), None);
        }
        await etcd.Cluster.KillAllAsync();
        var log = new RecordingLoggerProvider();
        using var store = etcd.Store(prefix);
        var options = new GatewayOptions { Bind = System.Net.IPAddress.Loopback, HttpPort = 0, HttpsPort = 0, Http2Port = 0, AdminPort = 0 };
        await using var server = await SluiceServer.StartAsync(options, store, SluicePlugins.Default, log);
        try
        {
            // The first attempt fails at its deadline (3 s here); then several retries' worth of time.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!log.Lines.Any(e => e.Id.Id == EventIds.StoreWaiting) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.False(server.Ready.IsCompleted);
            Assert.Single(log.Lines, e => e.Id.Id == EventIds.StoreWaiting);
            Assert.DoesNotContain(log.Lines, e => e.Id.Id == EventIds.WatchFailed);
        }
        finally
        {
            await etcd.Cluster.StartAllAsync();
        }
        await server.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        // The plan goes live a moment before the admin view of it is published.
        while (server.Loop.Latest is null)
        {
            await Task.Delay(10);
        }
        Assert.Equal("a", Assert.Single(server.Loop.Latest.Snapshot.Upstreams).Name);
        Assert.Single(log.Lines, e => e.Id.Id == EventIds.StoreWaiting);
    }

    private static IEnumerable<KeyValuePair<string, int>> Ports(ConfigSnapshot snapshot) =>
        snapshot.Upstreams.Select(u => new KeyValuePair<string, int>(u.Name, EtcdObjects.PortOf(u)));

    private static async Task<bool> WaitReachableAsync(EtcdStore store, bool reachable)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (store.Health.Reachable != reachable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        return store.Health.Reachable == reachable;
    }

    /// <summary>A write that met a member going down is retried; quorum remains, so it goes through.</summary>
    private static async Task RetryAsync(Func<Task> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (EtcdUnavailableException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A retried write may have landed the first time: its second try then finds it done.</summary>
    private static async Task Ignore<T>(Func<Task> write) where T : Exception
    {
        try
        {
            await write();
        }
        catch (T)
        {
        }
    }
}
