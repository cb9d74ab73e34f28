using Sluice.Kubernetes;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Controllers elect one leader on a <c>coordination.k8s.io/v1</c> Lease, against
/// <see cref="FakeKubernetesApiServer"/> (a FAKE API server: none can run here; it keeps Leases as
/// the real one does, with 409 on a stale resourceVersion): one leads, the other stands by; a
/// killed leader (no hand-back) is replaced once its lease lapses; one that leaves hands over at once.
/// </summary>
public sealed class KubernetesLeaseElectionTests
{
    private const string Leases = "coordination.k8s.io/v1/leases";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task One_controller_leads_and_a_standby_takes_over_when_the_leader_dies()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        using var firstStore = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var secondStore = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var gatewayStore = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        var first = new KubernetesLeaseElection(firstStore, campaign: true, Lease, identity: "controller-1");
        var second = new KubernetesLeaseElection(secondStore, campaign: true, Lease, identity: "controller-2");
        var gateway = new KubernetesLeaseElection(gatewayStore, campaign: false, Lease, identity: "gateway-1");
        await using (second)
        await using (gateway)
        {
            first.Start();
            await WaitAsync(() => first.IsLeader, "controller-1 leading");
            second.Start();
            gateway.Start();
            await WaitAsync(() => second.Leader == "controller-1" && gateway.Leader == "controller-1", "the others seeing controller-1 lead");
            Assert.False(second.IsLeader);
            Assert.False(gateway.IsLeader);
            var lease = api.Get(Leases, GlooManifests.Namespace, KubernetesLeaseElection.DefaultLeaseName)!;
            Assert.Equal("controller-1", lease["spec"]!["holderIdentity"]!.GetValue<string>());
            Assert.Equal(2, lease["spec"]!["leaseDurationSeconds"]!.GetValue<int>());

            // Renewals move renewTime while the leader lives; the standby waits.
            var renewed = lease["spec"]!["renewTime"]!.GetValue<string>();
            await WaitAsync(() => api.Get(Leases, GlooManifests.Namespace, KubernetesLeaseElection.DefaultLeaseName)!["spec"]!["renewTime"]!.GetValue<string>() != renewed, "a renewal");
            Assert.False(second.IsLeader);

            // Killed: no hand-back. The standby takes over once the lease has not moved for its duration.
            await first.StopAsync();
            var killed = System.Diagnostics.Stopwatch.StartNew();
            await WaitAsync(() => second.IsLeader, "controller-2 taking over", TimeSpan.FromSeconds(10));
            Assert.True(killed.Elapsed < Lease + TimeSpan.FromSeconds(2), $"takeover took {killed.Elapsed.TotalMilliseconds:F0} ms");
            Assert.True(killed.Elapsed > Lease / 2, $"took over after {killed.Elapsed.TotalMilliseconds:F0} ms, before the lease could lapse");
            lease = api.Get(Leases, GlooManifests.Namespace, KubernetesLeaseElection.DefaultLeaseName)!;
            Assert.Equal("controller-2", lease["spec"]!["holderIdentity"]!.GetValue<string>());
            Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
            await WaitAsync(() => gateway.Leader == "controller-2", "the gateway seeing controller-2 lead");

            // Leaving, a leader hands the lease back: a standby that comes along takes over at once.
            using var thirdStore = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
            await using var third = new KubernetesLeaseElection(thirdStore, campaign: true, Lease, identity: "controller-3");
            third.Start();
            await WaitAsync(() => third.Leader == "controller-2", "controller-3 seeing controller-2 lead");
            await second.DisposeAsync();
            var left = System.Diagnostics.Stopwatch.StartNew();
            await WaitAsync(() => third.IsLeader, "controller-3 taking over");
            Assert.True(left.Elapsed < Lease / 2 + TimeSpan.FromSeconds(1), $"takeover after a hand-back took {left.Elapsed.TotalMilliseconds:F0} ms");
        }
        await first.DisposeAsync();
    }

    private static async Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen");
            await Task.Delay(20);
        }
    }
}
