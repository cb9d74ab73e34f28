using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>The object, route and secret verbs as the built executable against a real etcd cluster: the CLI works there as on a folder.</summary>
public sealed class EtcdCliProcessTests(EtcdClusterFixture etcd) : IClassFixture<EtcdClusterFixture>
{
    [Fact]
    public async Task Objects_routes_secrets_and_check_work_against_etcd()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        string[] store = ["--store", "etcd", "--etcd-endpoints", etcd.Cluster.EndpointList, "--etcd-prefix", prefix];

        (await CliProcess.RunAsync(["upstream", "create", "-f", "-", .. store], "name: petstore\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9191}]}\n")).AssertExit(0);
        var get = (await CliProcess.RunAsync(["upstream", "get", "--template", "{name} {spec.hosts[0].port}", .. store])).AssertExit(0);
        Assert.Equal("petstore 9191", get.Out.Trim());
        (await CliProcess.RunAsync(["upstream", "create", "-f", "-", .. store], "name: petstore\ntype: static\n")).AssertExit(1);

        var added = (await CliProcess.RunAsync(["route", "add", "--path-prefix", "/pets", "-u", "petstore", .. store])).AssertExit(0);
        Assert.Contains("virtualservice/default not found: creating it", added.Err, StringComparison.Ordinal);
        (await CliProcess.RunAsync(["route", "add", "--path-exact", "/pets/1", "-u", "petstore", "--sort", .. store])).AssertExit(0);
        var routes = (await CliProcess.RunAsync(["route", "get", "-o", "json", .. store])).AssertExit(0);
        Assert.True(routes.Out.IndexOf("/pets/1", StringComparison.Ordinal) < routes.Out.IndexOf("\"/pets\"", StringComparison.Ordinal), routes.Out);

        (await CliProcess.RunAsync(["secret", "create", "generic", "token", "--from-literal", "token=t0p", .. store])).AssertExit(0);
        var secrets = (await CliProcess.RunAsync(["secret", "get", .. store])).AssertExit(0);
        Assert.Matches(@"(?m)^token\s+token$", secrets.Out);
        Assert.DoesNotContain("t0p", secrets.Out, StringComparison.Ordinal);
        (await CliProcess.RunAsync(["secret", "delete", "token", .. store])).AssertExit(0);
        (await CliProcess.RunAsync(["secret", "delete", "token", .. store])).AssertExit(1);

        var check = (await CliProcess.RunAsync(["check", "--offline", .. store])).AssertExit(0);
        Assert.Equal("No problems detected.", check.Out.Trim());

        (await CliProcess.RunAsync(["vs", "delete", "default", .. store])).AssertExit(0);
        (await CliProcess.RunAsync(["upstream", "delete", "petstore", .. store])).AssertExit(0);
        var empty = (await CliProcess.RunAsync(["upstream", "get", "-o", "json", .. store])).AssertExit(0);
        Assert.Equal("[]", empty.Out.Trim());
    }
}
