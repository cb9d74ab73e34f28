using Sluice.Api;
using Sluice.Etcd;
using Sluice.IntegrationTests.Cli;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Storage;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// The etcd store against a secured etcd (TLS with client certificates, authentication on, a user
/// confined to its prefix): it works with the right CA, certificate and password, through the
/// store, the CLI and a running gateway; and each wrong credential is refused with the reason.
/// </summary>
public sealed class EtcdSecurityTests(SecuredEtcd etcd) : IClassFixture<SecuredEtcd>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task With_the_CA_a_client_certificate_and_the_password_the_store_reads_writes_and_watches()
    {
        using var store = new EtcdStore(etcd.Options());
        var created = await store.CreateAsync(EtcdObjects.Upstream("tls-a", 1), None);
        await using var stream = new SnapshotStream(store);
        Assert.Contains((await stream.NextAsync(Wait))!.Upstreams, u => u.Name == "tls-a");

        await store.CreateAsync(EtcdObjects.Upstream("tls-b", 2), None);
        await stream.WaitForAsync(s => s.Upstreams.Any(u => u.Name == "tls-b"), Wait);
        await store.WriteStatusAsync(ConfigKind.Upstream, "tls-a", created.Metadata.ResourceVersion, Status.Accepted, None);
        Assert.Equal(Status.Accepted, (await store.LoadAsync(None)).Upstreams.Single(u => u.Name == "tls-a").Status);
        Assert.True(store.Health.Reachable);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_reason()
    {
        using var store = new EtcdStore(etcd.Options(password: "not-the-password"));
        var refused = await Assert.ThrowsAsync<EtcdUnavailableException>(() => store.LoadAsync(None));
        Assert.Contains("refused the call", refused.Message);
        Assert.Contains("authentication failed", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("refused: ", store.Health.Detail);
    }

    [Fact]
    public async Task Without_a_password_the_certificate_alone_gives_no_access_outside_what_its_user_may()
    {
        // etcd then takes the user from the certificate's CN ("sluice"): its role covers only its prefix.
        using var own = new EtcdStore(etcd.Options(password: null));
        await own.LoadAsync(None);
        using var other = new EtcdStore(etcd.Options(prefix: "/someone-else/"));
        var denied = await Assert.ThrowsAsync<EtcdUnavailableException>(() => other.LoadAsync(None));
        Assert.True(denied.Message.Contains("refused the call", StringComparison.Ordinal), denied.Message);
        Assert.Contains("permission denied", denied.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        using var store = new EtcdStore(etcd.Options(certFile: etcd.StrangerCertFile, keyFile: etcd.StrangerKeyFile));
        await Assert.ThrowsAsync<EtcdUnavailableException>(() => store.LoadAsync(None));
        Assert.False(store.Health.Reachable);
    }

    [Fact]
    public async Task The_CLI_and_a_gateway_work_against_the_secured_etcd_with_the_TLS_and_user_flags()
    {
        await using var backend = await TestBackend.StartAsync("secured-backend");
        (await CliRun.RunWithInputAsync($$"""
            {{TestConfig.Upstream("secured", backend.Port)}}
            ---
            name: secured
            domains: ['*']
            routes:
            - request_matcher: { path_prefix: /secured }
              single_destination: { upstream: { name: secured } }
            """, ["apply", "-f", "-", .. etcd.StoreFlags])).AssertExit(0);
        Assert.Contains("secured", (await CliRun.RunAsync(["get", "upstreams", .. etcd.StoreFlags])).AssertExit(0).Out);

        await using var gateway = SluiceProcess.Start("secured-gateway", "all", etcd.StoreFlags);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
        await ScaleOutFixture.WaitAsync(async () => await gateway.StatusOfAsync("/secured/x") == 200, Wait, "the route served from the secured etcd");
        Assert.True((await gateway.DetailAsync()).GetProperty("store").GetProperty("reachable").GetBoolean());
    }
}
