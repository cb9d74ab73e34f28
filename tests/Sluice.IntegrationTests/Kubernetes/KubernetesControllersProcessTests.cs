using System.Diagnostics;
using Sluice.IntegrationTests.Infrastructure;
using static Sluice.IntegrationTests.Kubernetes.KubernetesObjects;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The built <c>sluice</c> as two controllers with upstream discovery and one gateway, against
/// <see cref="FakeKubernetesApiServer"/> (a FAKE API server: no real one can be installed here),
/// each process with its own token so the fake can tell who wrote what. Only the Lease holder
/// writes upstreams; when it dies the other takes over; the gateway routes to the Service's pods
/// from the EndpointSlices.
/// </summary>
public sealed class KubernetesControllersProcessTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("sluice-kube-processes-").FullName;

    [Fact]
    public async Task Only_the_lease_holder_discovers_upstreams_and_the_gateway_serves_their_pods()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var pods = await ServicePods.StartAsync(1);
        Apply(api, Services, Service("shop", "pets", null, new ServicePort("web", 80, "http")));
        Apply(api, EndpointSlices, EndpointSlice("shop", "pets-1", "pets", [new SlicePort("web", pods.Port)], [new PodEndpoint(pods.Address(0))]));
        api.Create(GlooManifests.VirtualService("default", "/", "shop-pets-80"));
        string Kubeconfig(string token)
        {
            var path = Path.Combine(_folder, token);
            api.WriteKubeconfig(path, token);
            return path;
        }
        string[] Flags(string token) => ["--store", "kubernetes", "--kubeconfig", Kubeconfig(token), "--lease-ttl", "3"];
        await using var a = SluiceProcess.Start("controller-a", "controller", [.. Flags("controller-a"), "--discovery-upstreams", "kubernetes"]);
        await using var b = SluiceProcess.Start("controller-b", "controller", [.. Flags("controller-b"), "--discovery-upstreams", "kubernetes"]);
        await using var gateway = SluiceProcess.Start("gateway", "gateway", Flags("gateway"));

        await WaitUntilAsync(() => api.Get("gloo.solo.io/v1/upstreams", GlooManifests.Namespace, "shop-pets-80") is not null, "the discovered upstream", a, b);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilAsync(async () => await PodAnsweringAsync(client, gateway) == "pod-0", "the gateway to serve the pod", a, b);

        var leader = LeaseHolder(api);
        Assert.Equal([leader], UpstreamWriters(api));
        var (standby, dead) = leader == "controller-a" ? ("controller-b", a) : ("controller-a", b);

        // The leader dies without handing the lease back; the standby takes over and discovers the new port.
        await dead.KillAsync();
        var writesBeforeTakeover = api.Writes.Count;
        Apply(api, Services, Service("shop", "pets", null, new ServicePort("web", 80, "http"), new ServicePort("admin", 9000, 9901)));
        await WaitUntilAsync(() => api.Get("gloo.solo.io/v1/upstreams", GlooManifests.Namespace, "shop-pets-9000") is not null, "the standby to discover the new port", a, b);
        Assert.Equal(standby, LeaseHolder(api));
        Assert.Equal(new[] { leader, standby }.Order(), UpstreamWriters(api).Order());
        // The standby wrote only once it held the lease, after the leader died.
        Assert.DoesNotContain(api.Writes.Take(writesBeforeTakeover), w => w.Token == standby && IsUpstreamWrite(w.Path));
        Assert.DoesNotContain(api.Writes, w => w.Token == "gateway");
    }

    /// <summary>Who last wrote the Lease successfully: the holder renews it, a standby only reads it.</summary>
    private static string LeaseHolder(FakeKubernetesApiServer api) =>
        api.Writes.Last(w => w.Path.Contains("/leases", StringComparison.Ordinal) && w.Status is >= 200 and < 300).Token!;

    /// <summary>Everyone who tried to write an Upstream's spec (create, update, delete), successfully or not.</summary>
    private static IEnumerable<string?> UpstreamWriters(FakeKubernetesApiServer api) =>
        api.Writes.Where(w => IsUpstreamWrite(w.Path)).Select(w => w.Token).Distinct();

    private static bool IsUpstreamWrite(string path) =>
        path.Contains("/upstreams", StringComparison.Ordinal) && !path.EndsWith("/status", StringComparison.Ordinal);

    private static async Task<string?> PodAnsweringAsync(HttpClient client, SluiceProcess gateway)
    {
        try
        {
            using var response = await client.GetAsync(gateway.Traffic + "/");
            return response.Headers.TryGetValues("x-backend", out var pod) ? pod.Single() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, params SluiceProcess[] processes) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, processes);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, params SluiceProcess[] processes)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Wait, $"waited {Wait} for {what}\n{string.Join("\n", processes.Select(p => $"--- {p.Name}:\n{p.Output}"))}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
