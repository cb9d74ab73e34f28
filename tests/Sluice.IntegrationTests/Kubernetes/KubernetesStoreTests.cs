using System.Net;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Kubernetes;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The Kubernetes store against <see cref="FakeKubernetesApiServer"/>: a FAKE API server, because
/// no real one can be installed on these machines. It follows the API reference for lists,
/// watches, bookmarks, 410 Gone, 409 Conflict and the status subresource.
/// </summary>
public sealed class KubernetesStoreTests(ITestOutputHelper output)
{
    private const string Upstreams = "gloo.solo.io/v1/upstreams";
    private const string VirtualServices = "gloo.solo.io/v1/virtualservices";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GlooManifests_AppliedToTheFake_AreServed_AndTheirStatusesWrittenBack()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var backend = await TestBackend.StartAsync();
        api.Create(GlooManifests.Upstream("petstore", backend.Port));
        api.Create(GlooManifests.VirtualService("default", "/pets", "petstore"));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        await using var gateway = await GatewayFixture.StartAsync(store: store, output: output);

        var echo = await gateway.GetEchoAsync("/pets/1");

        Assert.Equal("/pets/1", echo.Path);
        await WaitForStatusAsync(api, Upstreams, "petstore", "Accepted");
        await WaitForStatusAsync(api, VirtualServices, "default", "Accepted");
        // The status subresource took the verdict; the user's spec is untouched.
        Assert.Equal(GlooManifests.Upstream("petstore", backend.Port)["spec"]!.ToJsonString(), api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task SpecThatDoesNotParse_IsRejected_NamingResourceAndField_WhileOthersServe()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var backend = await TestBackend.StartAsync();
        api.Create(GlooManifests.Upstream("petstore", backend.Port));
        api.Create(GlooManifests.VirtualService("default", "/pets", "petstore"));
        var broken = GlooManifests.Upstream("broken", backend.Port);
        broken["spec"]!["connection_timeout"] = "soon";
        api.Create(broken);
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        await using var gateway = await GatewayFixture.StartAsync(store: store, output: output);

        await gateway.GetEchoAsync("/pets/1");

        var status = await WaitForStatusAsync(api, Upstreams, "broken", "Rejected");
        var reason = status["reason"]!.GetValue<string>();
        Assert.Contains("upstreams.gloo.solo.io/gloo-system/broken", reason, StringComparison.Ordinal);
        Assert.Contains("field 'spec.connection_timeout'", reason, StringComparison.Ordinal);
        await WaitForStatusAsync(api, Upstreams, "petstore", "Accepted");
    }

    [Fact]
    public async Task AllNamespaces_ServesEveryNamespace_AndWritesEachVerdictWhereItsObjectLives()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var backend = await TestBackend.StartAsync();
        api.Create(InNamespace(GlooManifests.Upstream("petstore", backend.Port), "team-a"));
        api.Create(InNamespace(GlooManifests.VirtualService("default", "/pets", "petstore"), "team-b"));
        using var store = new KubernetesStore(new KubernetesStoreOptions { AllNamespaces = true }, api.ClientConfiguration());
        await using var gateway = await GatewayFixture.StartAsync(store: store, output: output);

        await gateway.GetEchoAsync("/pets/1");

        await WaitForStatusAsync(api, Upstreams, "petstore", "Accepted", "team-a");
        await WaitForStatusAsync(api, VirtualServices, "default", "Accepted", "team-b");
    }

    [Fact]
    public async Task CutWatch_MissesNoChange_ResumingFromItsResourceVersion()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("first", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var stop = new CancellationTokenSource(Wait * 3);
        await using var snapshots = store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["first"], snapshots.Current.Upstreams.Select(u => u.Name));
        await WaitUntilAsync(() => api.OpenWatches == 3);
        var lists = api.ListRequests;

        // The change lands while every watch is down (cut mid-line): only a resumed watch replaying
        // events after its last resourceVersion can see it.
        api.WhileWatchesAreDown(() => api.Create(GlooManifests.Upstream("second", 8002)));

        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["first", "second"], snapshots.Current.Upstreams.Select(u => u.Name));
        Assert.Equal(lists, api.ListRequests);
    }

    [Fact]
    public async Task ResourceVersionGone_410_LeadsToARelist_ThatMissesNothing()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("first", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var stop = new CancellationTokenSource(Wait * 3);
        await using var snapshots = store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await snapshots.MoveNextAsync());
        await WaitUntilAsync(() => api.OpenWatches == 3);
        var lists = api.ListRequests;

        // Down, changed, and compacted: the resumed watch gets 410 Gone and must list again.
        api.WhileWatchesAreDown(() =>
        {
            api.Delete(Upstreams, GlooManifests.Namespace, "first");
            api.Create(GlooManifests.Upstream("second", 8002));
            api.Compact();
        });

        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["second"], snapshots.Current.Upstreams.Select(u => u.Name));
        Assert.True(api.ListRequests > lists, "a 410 must lead to a new list");
    }

    [Fact]
    public async Task Bookmark_MovesTheResumeVersion_SoACompactionAfterItNeedsNoRelist()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("first", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var stop = new CancellationTokenSource(Wait * 3);
        await using var snapshots = store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await snapshots.MoveNextAsync());
        await WaitUntilAsync(() => api.OpenWatches == 3);
        // Another collection's writes move the server's version past the upstream watch's last event.
        api.Create(Secret("unrelated"));
        Assert.True(await snapshots.MoveNextAsync());
        var lists = api.ListRequests;

        // The bookmark is the last line before the server ends each watch (its timeout): the
        // store must resume from the bookmark's version, which the compaction has not passed.
        api.SendBookmarks();
        api.WhileWatchesAreDown(() =>
        {
            api.Compact();
            api.Create(GlooManifests.Upstream("second", 8002));
        }, cut: false);

        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["first", "second"], snapshots.Current.Upstreams.Select(u => u.Name));
        Assert.Equal(lists, api.ListRequests);
    }

    [Fact]
    public async Task StaleUpdate_IsAConflict()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        var created = await store.CreateAsync(Upstream("petstore", 8001), CancellationToken.None);
        var updated = await store.UpdateAsync(Upstream("petstore", 8002) with { Metadata = created.Metadata }, CancellationToken.None);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        var stale = Upstream("petstore", 8003) with { Metadata = created.Metadata };
        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => store.UpdateAsync(stale, CancellationToken.None));

        Assert.Contains("the object has been modified", conflict.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.CreateAsync(Upstream("petstore", 8004), CancellationToken.None));
        var stored = (Upstream)(await store.LoadAsync(CancellationToken.None)).Upstreams.Single();
        Assert.Equal(updated.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task StatusWrite_ChangesOnlyStatus_AndIsNoConfigChange()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("petstore", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        using var stop = new CancellationTokenSource(Wait * 3);
        await using var snapshots = store.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await snapshots.MoveNextAsync());
        var before = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;

        await store.WriteStatusAsync(ConfigKind.Upstream, "petstore", null, new Status(StatusState.Rejected, "because"), CancellationToken.None);
        api.Create(GlooManifests.Upstream("marker", 8002));

        var after = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;
        Assert.Equal(before["spec"]!.ToJsonString(), after["spec"]!.ToJsonString());
        Assert.NotEqual(before["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("""{"state":"Rejected","reason":"because"}""", after["status"]!.ToJsonString());
        // The status write made no snapshot of its own: the next one is the marker's.
        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["marker", "petstore"], snapshots.Current.Upstreams.Select(u => u.Name));
        Assert.Equal(new Status(StatusState.Rejected, "because"), snapshots.Current.Upstreams.Single(u => u.Name == "petstore").Status);
    }

    [Fact]
    public async Task StatusOnAnOldSpec_IsRefused_AndNeverLandsOnTheNewOne()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("petstore", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        var judged = (await store.LoadAsync(CancellationToken.None)).Upstreams.Single().Metadata.ResourceVersion;

        // Status writes move the resourceVersion but not the spec: the verdict still lands.
        await store.WriteStatusAsync(ConfigKind.Upstream, "petstore", judged, new Status(StatusState.Warning, "first look"), CancellationToken.None);
        await store.WriteStatusAsync(ConfigKind.Upstream, "petstore", judged, Status.Accepted, CancellationToken.None);
        Assert.Equal("""{"state":"Accepted"}""", api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]!.ToJsonString());

        // A new spec (generation 2): a verdict on the old one is refused and the status stays as it was.
        var edited = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;
        edited["spec"]!["spec"]!["hosts"]![0]!["port"] = 8002;
        api.ReplaceSpec(edited);
        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteStatusAsync(
            ConfigKind.Upstream, "petstore", judged, new Status(StatusState.Rejected, "about the old spec"), CancellationToken.None));
        Assert.Contains("judged generation 1", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("now at generation 2", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("""{"state":"Accepted"}""", api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]!.ToJsonString());

        // The verdict on the new spec lands.
        var fresh = (await store.LoadAsync(CancellationToken.None)).Upstreams.Single().Metadata.ResourceVersion;
        await store.WriteStatusAsync(ConfigKind.Upstream, "petstore", fresh, new Status(StatusState.Rejected, "about the new spec"), CancellationToken.None);
        Assert.Equal("about the new spec", api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Secrets_ComeFromKubernetesSecrets_OfTheNamespace()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(Secret("aws"));
        var elsewhere = Secret("other");
        elsewhere["metadata"]!["namespace"] = "default";
        api.Create(elsewhere);
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());

        var snapshot = await store.LoadAsync(CancellationToken.None);

        Assert.Equal(["aws"], snapshot.Secrets.Keys);
        Assert.Equal("AKIDEXAMPLE", snapshot.Secrets["aws"]["access_key"]);
    }

    private static JsonObject Secret(string name) => GlooManifests.Read($"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          namespace: {GlooManifests.Namespace}
        data:
          access_key: {Convert.ToBase64String("AKIDEXAMPLE"u8)}
        """);

    private static Upstream Upstream(string name, int port) => (Upstream)TestConfig.Read($"""
        name: {name}
        type: static
        spec:
          hosts:
          - addr: 127.0.0.1
            port: {port}
        """).Single();

    private static JsonObject InNamespace(JsonObject resource, string ns)
    {
        resource["metadata"]!["namespace"] = ns;
        return resource;
    }

    private static async Task<JsonObject> WaitForStatusAsync(FakeKubernetesApiServer api, string collection, string name, string state, string ns = GlooManifests.Namespace)
    {
        JsonObject? status = null;
        await WaitUntilAsync(() => (status = api.Get(collection, ns, name)?["status"] as JsonObject)?["state"]?.GetValue<string>() == state,
            () => $"{name}: status {status?.ToJsonString() ?? "(none)"}, expected {state}");
        return status!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(describe?.Invoke() ?? "condition not met within 10 s");
            }
            await Task.Delay(10);
        }
    }
}
