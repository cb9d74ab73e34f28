using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// <c>sluice apply/get/delete --store kubernetes</c> against <see cref="FakeKubernetesApiServer"/>
/// (a FAKE API server: no real one can be installed here), found through a kubeconfig file as
/// kubectl finds a cluster.
/// </summary>
public sealed class KubernetesCliTests : IDisposable
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "sluice-kubeconfig-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ApplyGetDelete_WorkAgainstTheCluster_InTheNamespaceGiven()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        WriteKubeconfig(api);
        string[] store = ["--store", "kubernetes", "--kubeconfig", _kubeconfig, "--namespace", "team-a"];
        const string Manifest = """
            name: petstore
            type: static
            spec:
              hosts:
              - addr: 127.0.0.1
                port: 9191
            """;

        (await CliRun.RunWithInputAsync(Manifest, ["apply", "-f", "-", .. store])).AssertExit(0);

        var resource = api.Get("gloo.solo.io/v1/upstreams", "team-a", "petstore");
        Assert.NotNull(resource);
        Assert.Equal("static", resource["spec"]!["type"]!.GetValue<string>());
        var yaml = (await CliRun.RunAsync(["get", "upstreams", "petstore", "-o", "yaml", .. store])).AssertExit(0);
        Assert.Contains("9191", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("namespace: team-a", yaml.Out, StringComparison.Ordinal);
        (await CliRun.RunWithInputAsync(Manifest.Replace("9191", "9292", StringComparison.Ordinal), ["apply", "-f", "-", .. store])).AssertExit(0);
        Assert.Equal(9292, api.Get("gloo.solo.io/v1/upstreams", "team-a", "petstore")!["spec"]!["spec"]!["hosts"]![0]!["port"]!.GetValue<int>());
        (await CliRun.RunAsync(["delete", "upstream", "petstore", .. store])).AssertExit(0);
        Assert.Null(api.Get("gloo.solo.io/v1/upstreams", "team-a", "petstore"));
        var missing = (await CliRun.RunAsync(["delete", "upstream", "petstore", .. store])).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("not found in kubernetes namespace team-a", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownStore_AndBadNamespace_AreClearErrors()
    {
        var store = (await CliRun.RunAsync("get", "upstreams", "--store", "consul")).AssertNoStackTrace();
        Assert.Contains("'consul' is not a store (file, etcd or kubernetes)", store.Err, StringComparison.Ordinal);
        var ns = (await CliRun.RunAsync("get", "upstreams", "--store", "kubernetes", "--namespace", "Gloo_System")).AssertNoStackTrace();
        Assert.Contains("--namespace: 'Gloo_System' is not a namespace name", ns.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiServerThatDoesNotAnswer_IsOneClearError()
    {
        await using (var api = await FakeKubernetesApiServer.StartAsync())
        {
            WriteKubeconfig(api);
        }
        var get = (await CliRun.RunAsync("get", "upstreams", "--store", "kubernetes", "--kubeconfig", _kubeconfig)).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("error: the store could not be reached: ", get.Err, StringComparison.Ordinal);
    }

    private void WriteKubeconfig(FakeKubernetesApiServer api) => api.WriteKubeconfig(_kubeconfig);

    public void Dispose() => File.Delete(_kubeconfig);
}
