using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The object and route verbs as the built executable against <see cref="FakeKubernetesApiServer"/>
/// (a FAKE API server: no real one can be installed here), found through a kubeconfig file.
/// </summary>
public sealed class KubernetesCliProcessTests : IDisposable
{
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), "sluice-kubeconfig-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Objects_routes_and_secrets_work_against_the_cluster()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.WriteKubeconfig(_kubeconfig);
        string[] store = ["--store", "kubernetes", "--kubeconfig", _kubeconfig, "--namespace", "team-a"];

        (await CliProcess.RunAsync(["upstream", "create", "-f", "-", .. store], "name: petstore\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9191}]}\n")).AssertExit(0);
        Assert.NotNull(api.Get("gloo.solo.io/v1/upstreams", "team-a", "petstore"));
        (await CliProcess.RunAsync(["route", "add", "--path-prefix", "/", "-u", "petstore", .. store])).AssertExit(0);
        Assert.NotNull(api.Get("gloo.solo.io/v1/virtualservices", "team-a", "default"));
        var get = (await CliProcess.RunAsync(["vs", "get", "default", "--template", "{routes[0].single_destination.upstream.name}", .. store])).AssertExit(0);
        Assert.Equal("petstore", get.Out.Trim());
        // Secrets are Kubernetes Secrets in the store's namespace, values in base64 under data.
        (await CliProcess.RunAsync(["secret", "create", "generic", "x", "--from-literal", "a=b", .. store])).AssertExit(0);
        var secret = api.Get("v1/secrets", "team-a", "x");
        Assert.NotNull(secret);
        Assert.Equal("Opaque", secret["type"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String("b"u8), secret["data"]!["a"]!.GetValue<string>());
        var listed = (await CliProcess.RunAsync(["secret", "get", "x", "--show-values", "-o", "json", .. store])).AssertExit(0);
        Assert.Contains("\"b\"", listed.Out, StringComparison.Ordinal);
        (await CliProcess.RunAsync(["secret", "delete", "x", .. store])).AssertExit(0);
        Assert.Null(api.Get("v1/secrets", "team-a", "x"));
        (await CliProcess.RunAsync(["secret", "delete", "x", .. store])).AssertExit(1).AssertNoStackTrace();
        (await CliProcess.RunAsync(["upstream", "delete", "petstore", .. store])).AssertExit(0);
        Assert.Null(api.Get("gloo.solo.io/v1/upstreams", "team-a", "petstore"));
    }

    public void Dispose() => File.Delete(_kubeconfig);
}
