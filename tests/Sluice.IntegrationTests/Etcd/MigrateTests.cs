using Sluice.Etcd;
using Sluice.IntegrationTests.Cli;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;
using ConfigFolder = Sluice.IntegrationTests.Cli.ConfigFolder;

namespace Sluice.IntegrationTests.Etcd;

/// <summary><c>sluice migrate</c> from a folder to a real etcd cluster and back, secrets and files included.</summary>
public sealed class MigrateTests(EtcdClusterFixture etcd) : IClassFixture<EtcdClusterFixture>
{
    [Fact]
    public async Task Migrate_copies_objects_secrets_and_files_to_etcd_and_back()
    {
        using var source = new ConfigFolder();
        source.Write("upstreams/backend.yaml", TestConfig.Upstream("backend", 9001));
        source.Write("virtualservices/site.yaml", "name: site\ndomains: ['*']\nroutes:\n- request_matcher: {path_prefix: /}\n  single_destination: {upstream: {name: backend}}\n");
        source.Write("secrets/aws", "access_key: AKIA\nsecret_key: s3cr3t\n");
        source.Write("files/descriptor.pb", "binary-ish bytes");
        var prefix = EtcdClusterFixture.UniquePrefix();
        string[] etcdFlags = ["--etcd-prefix", prefix];

        var there = (await CliRun.RunAsync(["migrate", "--from", "file:" + source.Path, "--to", "etcd:" + etcd.Cluster.EndpointList, .. etcdFlags])).AssertExit(0);
        Assert.Contains("migrated 1 upstream(s), 1 virtual service(s), 1 secret(s), 1 file(s)", there.Out);
        using (var store = etcd.Store(prefix))
        {
            var snapshot = await store.LoadAsync(CancellationToken.None);
            Assert.Equal("backend", Assert.Single(snapshot.Upstreams).Name);
            Assert.Equal("site", Assert.Single(snapshot.VirtualServices).Name);
            Assert.Equal("s3cr3t", snapshot.Secrets["aws"]["secret_key"]);
            Assert.Equal("binary-ish bytes", System.Text.Encoding.UTF8.GetString(snapshot.Files["descriptor.pb"].Span));
        }

        using var back = new ConfigFolder();
        (await CliRun.RunAsync(["migrate", "--from", "etcd:" + etcd.Cluster.EndpointList, "--to", "file:" + back.Path, .. etcdFlags])).AssertExit(0);
        var original = await new FileStore(source.Path).LoadAsync(CancellationToken.None);
        var copied = await new FileStore(back.Path).LoadAsync(CancellationToken.None);
        Assert.Empty(copied.LoadErrors);
        Assert.Equal(Strip(original), Strip(copied));
        Assert.Equal("access_key: AKIA\nsecret_key: s3cr3t\n", File.ReadAllText(Path.Combine(back.Path, "secrets", "aws")));
        Assert.Equal("binary-ish bytes", File.ReadAllText(Path.Combine(back.Path, "files", "descriptor.pb")));
    }

    [Fact]
    public async Task Migrate_refuses_a_source_with_load_errors_and_copies_nothing()
    {
        using var source = new ConfigFolder();
        source.Write("upstreams/good.yaml", TestConfig.Upstream("good", 9001));
        source.Write("upstreams/bad.yaml", "name: bad\ntype: static\nspec: [unclosed\n");
        var prefix = EtcdClusterFixture.UniquePrefix();

        var run = (await CliRun.RunAsync("migrate", "--from", "file:" + source.Path, "--to", "etcd:" + etcd.Cluster.EndpointList, "--etcd-prefix", prefix)).AssertExit(1);

        Assert.Contains("upstreams/bad.yaml", run.Err);
        Assert.Contains("nothing was copied", run.Err);
        using var store = etcd.Store(prefix);
        Assert.Empty((await store.LoadAsync(CancellationToken.None)).Upstreams);
    }

    [Fact]
    public async Task The_CLI_works_against_etcd_as_against_a_folder()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        string[] flags = ["--store", "etcd", "--etcd-endpoints", etcd.Cluster.EndpointList, "--etcd-prefix", prefix];

        (await CliRun.RunWithInputAsync(TestConfig.Upstream("pay", 9001), ["apply", "-f", "-", .. flags])).AssertExit(0);
        var unchanged = (await CliRun.RunWithInputAsync(TestConfig.Upstream("pay", 9001), ["apply", "-f", "-", .. flags])).AssertExit(0);
        var listed = (await CliRun.RunAsync(["get", "upstreams", .. flags])).AssertExit(0);
        var deleted = (await CliRun.RunAsync(["delete", "upstream", "pay", .. flags])).AssertExit(0);
        var missing = (await CliRun.RunAsync(["delete", "upstream", "pay", .. flags])).AssertExit(1).AssertNoStackTrace();

        Assert.Contains("upstream/pay unchanged", unchanged.Out);
        Assert.Matches(@"pay\s+static\s+Pending", listed.Out);
        Assert.Contains("upstream/pay deleted", deleted.Out);
        Assert.Contains($"not found in etcd {etcd.Cluster.EndpointList}", missing.Err);
        var unreachable = (await CliRun.RunAsync("get", "upstreams", "--store", "etcd", "--etcd-endpoints", "http://127.0.0.1:1")).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("etcd (http://127.0.0.1:1) did not answer", unreachable.Err);
    }

    private static string Strip(ConfigSnapshot snapshot) =>
        string.Join("\n", snapshot.Upstreams.Select(u => Sluice.Api.ConfigCodec.ToYaml(u with { Status = null, Metadata = u.Metadata with { ResourceVersion = null } }))
            .Concat(snapshot.VirtualServices.Select(v => Sluice.Api.ConfigCodec.ToYaml(v with { Status = null, Metadata = v.Metadata with { ResourceVersion = null } }))));
}
