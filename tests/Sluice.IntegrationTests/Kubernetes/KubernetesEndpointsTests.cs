using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Kubernetes.Endpoints;
using Sluice.Plan;
using static Sluice.IntegrationTests.Kubernetes.KubernetesObjects;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Endpoints of <c>kubernetes</c> upstreams from EndpointSlices, end to end: a real gateway,
/// real pod backends on loopback addresses, and <see cref="FakeKubernetesApiServer"/> (a FAKE API
/// server, because no real one can be installed on these machines) serving Services and
/// EndpointSlices with list and watch as the API reference describes them. Endpoint changes must
/// reach the running upstream without a new translation: the tests read
/// <c>sluice_config_reloads_total</c> (translations) and <c>sluice_upstream_endpoint_updates_total</c>.
/// </summary>
public sealed class KubernetesEndpointsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Pods_scale_2_to_10_to_0_under_load_with_no_failed_request_while_any_is_ready()
    {
        await using var shop = await Shop.StartAsync(pods: 10);
        var ready = new SortedSet<int> { 0, 1 };
        var terminating = new SortedSet<int>();
        await shop.PublishAsync(ready, terminating);
        var reloads = shop.Reloads;
        var updates = shop.EndpointUpdates;

        // 8 clients send requests back to back until the last phase; each answer is kept with when it came.
        var answers = new ConcurrentQueue<(long At, HttpStatusCode Status, string? Error, string? Pod)>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await shop.Gateway.Client.GetAsync("/pets");
                answers.Enqueue((Stopwatch.GetTimestamp(), response.StatusCode,
                    response.Headers.TryGetValues(SluiceError.Header, out var error) ? error.Single() : null,
                    response.Headers.TryGetValues("x-backend", out var pod) ? pod.Single() : null));
            }
        })).ToArray();

        // Up: each new pod shows up not ready first, then ready (its readiness probe passed).
        for (var pod = 2; pod < 10; pod++)
        {
            await shop.PublishAsync(ready, terminating, notReady: pod);
            ready.Add(pod);
            await shop.PublishAsync(ready, terminating);
        }
        await WaitUntilAsync(() => answers.Select(a => a.Pod).Distinct().Count() == 10, "every one of the 10 pods to get requests");

        // Down to one: each pod is terminating first (drained), then leaves the slice.
        for (var pod = 9; pod >= 1; pod--)
        {
            ready.Remove(pod);
            terminating.Add(pod);
            await shop.PublishAsync(ready, terminating);
            terminating.Remove(pod);
            await shop.PublishAsync(ready, terminating);
        }

        // The last one goes: from here on, 503 is the right answer.
        var noneReadyFrom = Stopwatch.GetTimestamp();
        ready.Clear();
        await shop.PublishAsync(ready, terminating);
        await WaitUntilAsync(() => answers.Any(a => a.At > noneReadyFrom && a.Status == HttpStatusCode.ServiceUnavailable), "a 503 once no pod is ready");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var failedWhileReady = answers.Where(a => a.At < noneReadyFrom && a.Status != HttpStatusCode.OK).ToList();
        Assert.True(failedWhileReady.Count == 0, $"{failedWhileReady.Count} of {answers.Count} requests failed while a pod was ready: {string.Join(", ", failedWhileReady.Take(5))}");
        Assert.True(answers.Count(a => a.At < noneReadyFrom) > 200, $"only {answers.Count} requests were sent");
        // Once none is ready: a clear code, never a connection error.
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => Assert.Equal((HttpStatusCode.ServiceUnavailable, "no_healthy_upstream"), (a.Status, a.Error)));
        Assert.Equal(reloads, shop.Reloads);
        // A pod that is not ready yet, or that leaves the slice after terminating, changes no
        // endpoint list: 8 pods becoming ready, 9 terminating and the last one leaving.
        Assert.Equal(updates + 8 + 9 + 1, shop.EndpointUpdates);
    }

    [Fact]
    public async Task An_endpoint_change_is_served_within_100_ms_and_translates_nothing()
    {
        await using var shop = await Shop.StartAsync(pods: 2);
        await shop.PublishAsync([0], []);
        var reloads = shop.Reloads;
        var updates = shop.EndpointUpdates;

        // The pods take turns: each change replaces the one pod, and the gateway must answer
        // from the new one. Measured from the write to the API server to the first answer from it.
        var delays = new List<TimeSpan>();
        for (var change = 1; change <= 10; change++)
        {
            var pod = change % 2;
            var written = Stopwatch.StartNew();
            shop.WriteSlice([pod], []);
            while (await shop.PodAnsweringAsync() != $"pod-{pod}")
            {
                Assert.True(written.Elapsed < Wait, $"pod-{pod} did not answer within {Wait}");
            }
            delays.Add(written.Elapsed);
        }

        Assert.Equal(reloads, shop.Reloads);
        Assert.Equal(updates + 10, shop.EndpointUpdates);
        // The median, so one stall of a loaded 2-core machine does not decide it.
        var median = delays.Order().ElementAt(delays.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"median {median.TotalMilliseconds:F0} ms; all: {string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:F0}"))} ms");
    }

    [Fact]
    public async Task A_terminating_endpoint_gets_no_new_requests_and_its_in_flight_ones_finish()
    {
        await using var shop = await Shop.StartAsync(pods: 2);
        await shop.PublishAsync([0, 1], []);
        shop.Pods[0].Delay = TimeSpan.FromSeconds(2);

        // Round robin: of 4 slow requests, 2 are on pod-0 when it starts terminating.
        var inFlight = Enumerable.Range(0, 4).Select(_ => shop.Gateway.Client.GetAsync("/pets")).ToList();
        await WaitUntilAsync(() => shop.Pods[0].Requests == 2, "2 requests in flight on pod-0");
        await shop.PublishAsync([1], [0]);
        var sentToPod0 = shop.Pods[0].Requests;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("pod-1", await shop.PodAnsweringAsync());
        }
        Assert.Equal(sentToPod0, shop.Pods[0].Requests);
        var finished = await Task.WhenAll(inFlight);
        Assert.All(finished, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, finished.Count(r => r.Headers.GetValues("x-backend").Single() == "pod-0"));
    }

    [Fact]
    public async Task A_cut_watch_misses_no_change_and_resumes_without_listing_again()
    {
        await using var shop = await Shop.StartAsync(pods: 3);
        await shop.PublishAsync([0], []);
        await WaitUntilAsync(() => shop.Api.OpenWatches == 2, "the Services and EndpointSlices watches");
        var lists = shop.Api.ListRequests;

        shop.Api.WhileWatchesAreDown(() => shop.WriteSlice([1, 2], []));

        await shop.WaitForEndpointsAsync([1, 2]);
        Assert.Equal(lists, shop.Api.ListRequests);
    }

    [Fact]
    public async Task A_watch_that_cannot_resume_410_lists_again_and_misses_no_change()
    {
        await using var shop = await Shop.StartAsync(pods: 3);
        await shop.PublishAsync([0], []);
        await WaitUntilAsync(() => shop.Api.OpenWatches == 2, "the Services and EndpointSlices watches");
        var lists = shop.Api.ListRequests;

        shop.Api.WhileWatchesAreDown(() =>
        {
            shop.WriteSlice([2], []);
            shop.Api.Compact();
        });

        await shop.WaitForEndpointsAsync([2]);
        Assert.True(shop.Api.ListRequests > lists, "a 410 must lead to a new list");
        Assert.Equal("pod-2", await shop.PodAnsweringAsync());
    }

    [Fact]
    public async Task A_named_target_port_is_resolved_per_pod_and_service_port_picks_among_several()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        // A rollout: the new pods number the container port named "http" differently, so the
        // EndpointSlice controller puts them in a slice of their own with their number.
        await using var v1 = await ServicePods.StartAsync(1, "v1", subnet: 10);
        await using var v2 = await ServicePods.StartAsync(1, "v2", subnet: 11);
        Apply(api, Services, Service("shop", "pets", null,
            new ServicePort("web", 80, "http"),
            new ServicePort("admin", 9000, 9901)));
        Apply(api, EndpointSlices, EndpointSlice("shop", "pets-v1", "pets",
            [new SlicePort("web", v1.Port), new SlicePort("admin", 9901)], [new PodEndpoint(v1.Address(0))]));
        Apply(api, EndpointSlices, EndpointSlice("shop", "pets-v2", "pets",
            [new SlicePort("web", v2.Port), new SlicePort("admin", 9901)], [new PodEndpoint(v2.Address(0))]));
        await using var source = new KubernetesEndpointSource(api.ClientConfiguration, TimeSpan.FromMilliseconds(100));
        await using var gateway = await GatewayFixture.StartAsync(endpointSources: new([source]));
        await gateway.ApplyAsync("""
            name: web
            type: kubernetes
            spec: { service_name: pets, service_namespace: shop, service_port: 80 }
            ---
            name: admin
            type: kubernetes
            spec: { service_name: pets, service_namespace: shop, service_port: 9000 }
            ---
            # Gloo 0.x matched service_port against the target port too.
            name: admin-by-target
            type: kubernetes
            spec: { service_name: pets, service_namespace: shop, service_port: 9901 }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /web }
              single_destination: { upstream: { name: web } }
            """);

        EndpointPlan[] web = [new(v1.Address(0), v1.Port), new(v2.Address(0), v2.Port)];
        EndpointPlan[] admin = [new(v1.Address(0), 9901), new(v2.Address(0), 9901)];
        await WaitUntilAsync(() => EndpointsOf(gateway, "web").SequenceEqual(web), "web: each pod on its own number for \"http\"");
        await WaitUntilAsync(() => EndpointsOf(gateway, "admin").SequenceEqual(admin), "admin: port 9000's endpoints");
        await WaitUntilAsync(() => EndpointsOf(gateway, "admin-by-target").SequenceEqual(admin), "admin-by-target: the port whose targetPort is 9901");
        var answered = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            answered.Add((await gateway.GetEchoAsync("/web")).Backend);
        }
        Assert.Equal(["v1-0", "v2-0"], answered.Order());
    }

    private static IEnumerable<EndpointPlan> EndpointsOf(GatewayFixture gateway, string upstream) =>
        gateway.Server.Plans.Current.Clusters.TryGetValue(upstream, out var cluster) ? cluster.Endpoints.Select(e => e.Plan) : [];

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Wait, $"waited {Wait} for {what}");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Service <c>shop/pets</c> (port 80, targetPort "http") with its pods, the fake API server,
    /// and a gateway serving <c>/pets</c> from the <c>kubernetes</c> upstream of that port.
    /// </summary>
    private sealed class Shop : IAsyncDisposable
    {
        private Shop(FakeKubernetesApiServer api, ServicePods pods, KubernetesEndpointSource source, GatewayFixture gateway)
        {
            Api = api;
            Pods = pods;
            Source = source;
            Gateway = gateway;
        }

        public FakeKubernetesApiServer Api { get; }

        public ServicePods Pods { get; }

        public KubernetesEndpointSource Source { get; }

        public GatewayFixture Gateway { get; }

        /// <summary>Full translations so far.</summary>
        public double Reloads => Gateway.Server.Telemetry.Metrics.ReloadSuccesses.Value;

        /// <summary>Endpoint-only updates of the upstream so far.</summary>
        public double EndpointUpdates => Gateway.Server.Telemetry.Metrics.EndpointUpdates("shop-pets-80");

        public static async Task<Shop> StartAsync(int pods)
        {
            var api = await FakeKubernetesApiServer.StartAsync();
            var backends = await ServicePods.StartAsync(pods);
            Apply(api, Services, Service("shop", "pets", null, new ServicePort("web", 80, "http")));
            var source = new KubernetesEndpointSource(api.ClientConfiguration, TimeSpan.FromMilliseconds(100));
            var gateway = await GatewayFixture.StartAsync(endpointSources: new([source]));
            await gateway.ApplyAsync("""
                name: shop-pets-80
                type: kubernetes
                spec: { service_name: pets, service_namespace: shop, service_port: 80 }
                ---
                name: default
                routes:
                - request_matcher: { path_prefix: /pets }
                  single_destination: { upstream: { name: shop-pets-80 } }
                """);
            return new Shop(api, backends, source, gateway);
        }

        /// <summary>What the EndpointSlice controller writes for these pods (the one not ready yet, if any, included).</summary>
        public void WriteSlice(IEnumerable<int> ready, IEnumerable<int> terminating, int? notReady = null)
        {
            var endpoints = ready.Select(p => new PodEndpoint(Pods.Address(p)))
                .Concat(terminating.Select(p => new PodEndpoint(Pods.Address(p), Terminating: true)))
                .Concat(notReady is { } p ? [new PodEndpoint(Pods.Address(p), Ready: false)] : []);
            Apply(Api, EndpointSlices, EndpointSlice("shop", "pets-x7k2p", "pets", [new SlicePort("web", Pods.Port)], endpoints));
        }

        /// <summary>Writes the slice, then waits until the gateway routes to exactly the ready pods.</summary>
        public async Task PublishAsync(IEnumerable<int> ready, IEnumerable<int> terminating, int? notReady = null)
        {
            WriteSlice(ready, terminating, notReady);
            await WaitForEndpointsAsync(ready);
        }

        public async Task WaitForEndpointsAsync(IEnumerable<int> pods)
        {
            var expected = pods.Select(p => new EndpointPlan(Pods.Address(p), Pods.Port)).OrderBy(e => e.Host, StringComparer.Ordinal).ToList();
            await WaitUntilAsync(
                () => Gateway.Server.Plans.Current.Clusters.TryGetValue("shop-pets-80", out var cluster) && cluster.Endpoints.Select(e => e.Plan).SequenceEqual(expected),
                $"endpoints {string.Join(", ", expected)}");
        }

        /// <summary>Which pod answers the next request.</summary>
        public async Task<string> PodAnsweringAsync() => (await Gateway.GetEchoAsync("/pets")).Backend;

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Source.DisposeAsync();
            await Pods.DisposeAsync();
            await Api.DisposeAsync();
        }
    }
}
