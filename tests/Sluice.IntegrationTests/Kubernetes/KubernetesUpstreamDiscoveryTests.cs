using System.Diagnostics;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Discovery;
using Sluice.Kubernetes.UpstreamDiscovery;
using Sluice.Storage;
using static Sluice.IntegrationTests.Kubernetes.KubernetesObjects;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Upstream discovery from Kubernetes Services into a config folder (the file store), against
/// <see cref="FakeKubernetesApiServer"/>: a FAKE API server, because no real one can be installed
/// on these machines; it lists and watches Services with labelSelector as the API reference says.
/// </summary>
public sealed class KubernetesUpstreamDiscoveryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly Dictionary<string, string> Exposed = new() { ["expose"] = "true" };
    private readonly string _folder = Directory.CreateTempSubdirectory("sluice-uds-").FullName;

    [Fact]
    public async Task Discovery_writes_one_upstream_per_service_port_beside_the_users_and_removes_them_with_their_service()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        var pets = Service("shop", "pets", Exposed, new ServicePort("web", 80, "http"), new ServicePort("admin", 9000, 9901));
        pets["metadata"]!["annotations"] = new JsonObject
        {
            ["gloo.solo.io/swagger_url"] = "/openapi.json",
            ["kubectl.kubernetes.io/last-applied-configuration"] = "{\"huge\":true}",
        };
        Apply(api, Services, pets);
        Apply(api, Services, Service("shop", "internal", null, new ServicePort(null, 80, 8080)));
        Apply(api, Services, Service("kube-system", "kube-dns", Exposed, new ServicePort("dns-tcp", 53, 53)));
        Apply(api, Services, Service("default", "kubernetes", Exposed, new ServicePort("https", 443, 6443)));
        // The user's own upstream of a name discovery would use: left alone.
        Directory.CreateDirectory(Path.Combine(_folder, "upstreams"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "upstreams", "mine.yaml"), """
            name: shop-pets-9000
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: 9000 }] }
            """);
        var store = new FileStore(_folder);
        await using var discovery = new KubernetesUpstreamDiscovery(api.ClientConfiguration(), store, SoleLeader.Instance, new() { LabelSelector = "expose=true", RetryDelay = TimeSpan.FromMilliseconds(100) });
        using var stop = new CancellationTokenSource();
        var running = discovery.RunAsync(stop.Token);

        var web = await WaitForAsync(store, "shop-pets-80");
        Assert.Equal("kubernetes", web.Type);
        Assert.Equal("""{"service_name":"pets","service_namespace":"shop","service_port":80}""", web.Spec.Root.GetRawText());
        Assert.Equal(
            [KeyValuePair.Create("generated_by", "kubernetes-upstream-discovery"), KeyValuePair.Create("gloo.solo.io/swagger_url", "/openapi.json")],
            web.Metadata.Annotations.OrderBy(a => a.Key));
        // Written as the CLI would write it, in the folder beside the user's files.
        Assert.True(File.Exists(Path.Combine(_folder, "upstreams", "shop-pets-80.yaml")));
        var mine = (await store.LoadAsync(CancellationToken.None)).Upstreams.Single(u => u.Name == "shop-pets-9000");
        Assert.Equal("static", mine.Type);
        Assert.Equal(["shop-pets-80", "shop-pets-9000"], (await store.LoadAsync(CancellationToken.None)).Upstreams.Select(u => u.Name).Order());

        // A new port appears, the Service goes: its upstreams follow.
        Apply(api, Services, Service("shop", "pets", Exposed, new ServicePort("web", 80, "http"), new ServicePort("grpc", 9090, 9090)));
        await WaitForAsync(store, "shop-pets-9090");
        api.Delete(Services, "shop", "pets");
        await WaitUntilAsync(async () => (await store.LoadAsync(CancellationToken.None)).Upstreams.Select(u => u.Name).SequenceEqual(["shop-pets-9000"]), "only the user's upstream to be left");
        Assert.False(File.Exists(Path.Combine(_folder, "upstreams", "shop-pets-80.yaml")));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Discovery_reads_only_the_namespaces_given_and_function_discovery_then_examines_what_it_wrote()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        var petstore = Service("shop", "petstore", null, new ServicePort("http", 8080, 8080));
        // Function discovery's own opt-in, on the Service: copied onto the upstream.
        petstore["metadata"]!["annotations"] = new JsonObject
        {
            ["discovery.sluice.io/function_discovery"] = "enabled",
            ["discovery.sluice.io/openapi_doc"] = """{"openapi": "3.0.0", "info": {"title": "pets", "version": "1"}, "paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}}}}""",
        };
        Apply(api, Services, petstore);
        Apply(api, Services, Service("other", "billing", null, new ServicePort("http", 80, 8080)));
        var store = new FileStore(_folder);
        await using var discovery = new KubernetesUpstreamDiscovery(api.ClientConfiguration(), store, SoleLeader.Instance, new() { Namespaces = ["shop"], RetryDelay = TimeSpan.FromMilliseconds(100) });
        using var stop = new CancellationTokenSource();
        var running = discovery.RunAsync(stop.Token);

        await WaitForAsync(store, "shop-petstore-8080");
        await Discover.OnceAsync(store);

        var record = await Discover.RecordAsync(store, "shop-petstore-8080");
        Assert.Equal("listPets", Assert.Single(record.Functions).Name);
        Assert.Equal(["shop-petstore-8080"], (await store.LoadAsync(CancellationToken.None)).Upstreams.Select(u => u.Name));
        await stop.CancelAsync();
        await running;
    }

    private static async Task<Upstream> WaitForAsync(IConfigStore store, string name)
    {
        Upstream? found = null;
        await WaitUntilAsync(async () => (found = (await store.LoadAsync(CancellationToken.None)).Upstreams.FirstOrDefault(u => u.Name == name)) is not null, $"upstream {name}");
        return found!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Wait, $"waited {Wait} for {what}");
            await Task.Delay(20);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
