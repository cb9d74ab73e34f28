using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Discovery;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Kubernetes;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Function discovery on the Kubernetes store, against <see cref="FakeKubernetesApiServer"/> (a
/// FAKE API server: none can run here): what is found goes into the Upstream resource's status
/// beside the verdict, never into its spec; a gateway on the store serves the discovered
/// function; writes are refused on a stale resourceVersion; removal clears the status again.
/// </summary>
public sealed class KubernetesDiscoveryTests(ITestOutputHelper output)
{
    private const string Upstreams = "gloo.solo.io/v1/upstreams";

    [Fact]
    public async Task Discovered_functions_are_written_to_the_Upstream_status_and_served()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var backend = await DocumentBackend.StartAsync();
        backend.EchoOthers = true;
        backend.Serve("/openapi.json", await File.ReadAllBytesAsync(Path.Combine(Discover.TestData("openapi"), "v3.0-petstore.yaml")), "application/yaml");
        var manifest = GlooManifests.Upstream("petstore", backend.Port);
        manifest["metadata"]!["annotations"] = new JsonObject { ["discovery.sluice.io/function_discovery"] = "enabled" };
        api.Create(manifest);
        api.Create(GlooManifests.Read($$"""
            apiVersion: gloo.solo.io/v1
            kind: VirtualService
            metadata: { name: default, namespace: {{GlooManifests.Namespace}} }
            spec:
              domains: ['*']
              routes:
              - request_matcher: { path_prefix: /pet/ }
                single_destination: { function: { upstream_name: petstore, function_name: showPetById } }
                extensions: { parameters: { path: '/pet/{petId}' } }
            """));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        await using var gateway = await GatewayFixture.StartAsync(store: store, output: output);
        var spec = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["spec"]!.ToJsonString();

        var state = Assert.Single(await Discover.OnceAsync(store));
        Assert.True(state.State == "found", state.Message);

        // In the status, beside the verdict; the user's spec is as they wrote it.
        var resource = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;
        Assert.Equal(spec, resource["spec"]!.ToJsonString());
        var discovered = resource["status"]!["discovered"]!;
        Assert.Equal($"{backend.Address}/openapi.json", discovered["source"]!.GetValue<string>());
        Assert.Contains(discovered["found"]!["functions"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "showPetById");
        var record = await Discover.RecordAsync(store, "petstore");
        Assert.Equal(resource["metadata"]!["resourceVersion"]!.GetValue<string>(), record.Version);

        // The gateway on the store serves the function nobody wrote.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var response = await gateway.Client.GetAsync("/pet/42");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("/v1/pets/42", JsonDocument.Parse(body).RootElement.GetProperty("path").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still {(int)response.StatusCode}: {body}");
            await Task.Delay(20);
        }
        // A verdict written afterwards (a merge patch of state and reason) keeps what discovery wrote.
        await WaitUntilAsync(() => api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]?["state"]?.GetValue<string>() == "Accepted");
        await store.WriteStatusAsync(ConfigKind.Upstream, "petstore", null, new Status(StatusState.Warning, "a later verdict"), CancellationToken.None);
        Assert.Equal("a later verdict", api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]!["reason"]!.GetValue<string>());
        Assert.NotNull(api.Get(Upstreams, GlooManifests.Namespace, "petstore")!["status"]!["discovered"]);
        Assert.Equal(record.Functions, (await Discover.RecordAsync(store, "petstore")).Functions);

        // Optimistic concurrency: a write on a version that moved (the verdict moved it) is a conflict.
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("petstore", record with { Source = "elsewhere" }, CancellationToken.None));
        Assert.Contains("is stale", stale.Message);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("petstore", record with { Version = null }, CancellationToken.None));

        // Opting the upstream out removes what was found, from the status only.
        var optedOut = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;
        optedOut["metadata"]!["annotations"] = new JsonObject { ["discovery.sluice.io/function_discovery"] = "disabled" };
        api.ReplaceSpec(optedOut);
        Assert.Empty(await Discover.OnceAsync(store));
        resource = api.Get(Upstreams, GlooManifests.Namespace, "petstore")!;
        Assert.Null(resource["status"]?["discovered"]);
        Assert.Equal(spec, resource["spec"]!.ToJsonString());
        Assert.Null(await store.ReadDiscoveryAsync("petstore", CancellationToken.None));
    }

    [Fact]
    public async Task Descriptor_files_travel_with_the_record_and_reach_the_snapshot()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Create(GlooManifests.Upstream("grpc", 8001));
        using var store = new KubernetesStore(new KubernetesStoreOptions(), api.ClientConfiguration());
        var record = new DiscoveryRecord
        {
            Source = "gRPC reflection at 127.0.0.1:8001",
            ServiceInfo = new ServiceInfo { Type = "gRPC" },
            Files = new Dictionary<string, ReadOnlyMemory<byte>> { ["grpc-discovery:grpc.descriptors"] = new byte[] { 10, 0, 255 } },
        };
        var written = await store.WriteDiscoveryAsync("grpc", record, CancellationToken.None);

        var snapshot = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(written.Version, snapshot.Discovered["grpc"].Version);
        Assert.Equal(new byte[] { 10, 0, 255 }, snapshot.Files["grpc-discovery:grpc.descriptors"].ToArray());
        Assert.Equal("gRPC", snapshot.Discovered["grpc"].ServiceInfo!.Type);

        await store.DeleteDiscoveryAsync("grpc", CancellationToken.None);
        snapshot = await store.LoadAsync(CancellationToken.None);
        Assert.Empty(snapshot.Discovered);
        Assert.Empty(snapshot.Files);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("ghost", record, CancellationToken.None));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
