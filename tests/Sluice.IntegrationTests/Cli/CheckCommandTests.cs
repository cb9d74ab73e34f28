using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Security.Cryptography.X509Certificates;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// <c>sluice check</c>, <c>sluice proxy</c> and <c>get</c> of a broken object against a gateway run
/// as the built binary on a real folder: every problem listed at once, and exit codes that say so.
/// </summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    private string[] Dir => ["--config-dir", _config.Path];

    [Fact]
    public async Task Check_lists_a_rejected_object_a_missing_upstream_an_unhealthy_endpoint_and_an_expiring_certificate()
    {
        await using var healthy = await TestBackend.StartAsync("healthy");
        await using var flaky = await TestBackend.StartAsync("flaky");
        flaky.Healthy = false;
        _config.Write("upstreams/all.yaml", $"""
            name: healthy
            type: static
            spec: {"{"}hosts: [{"{"}addr: 127.0.0.1, port: {healthy.Port}{"}"}]{"}"}
            ---
            name: flaky
            type: static
            spec: {"{"}hosts: [{"{"}addr: 127.0.0.1, port: {flaky.Port}{"}"}]{"}"}
            health_checks:
            - {"{"} interval: 100ms, timeout: 100ms, unhealthy_threshold: 1, http_health_check: {"{"} path: /healthz {"}"} {"}"}
            ---
            name: broken
            type: nosuch
            """);
        _config.Write("virtualservices/shop.yaml", """
            name: shop
            domains: [shop.example.com]
            routes:
            - request_matcher: {path_prefix: /}
              single_destination: {upstream: {name: ghost}}
            """);
        _config.Write("virtualservices/site.yaml", "name: site\nroutes:\n- request_matcher: {path_prefix: /}\n  single_destination: {upstream: {name: flaky}}\n");
        var (cert, key) = SelfSigned("expiring.example.com", TimeSpan.FromDays(10));
        _config.Write("secrets/expiring-tls", $"tls.crt: |\n{Indent(cert)}tls.key: |\n{Indent(key)}");
        await using var gateway = SluiceProcess.Start("gateway", "all", Dir);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
        string[] admin = ["--admin-url", gateway.Admin];

        CliRun check = null!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            check = await CliProcess.RunAsync(["check", .. admin, .. Dir]);
        }
        while (!check.Out.Contains("unhealthy", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Delay());

        check.AssertExit(1);
        Assert.Contains("upstream/broken: Rejected:", check.Out, StringComparison.Ordinal);
        Assert.Contains("virtualservice/shop: route 0 (prefix /) goes to upstream 'ghost', which does not exist", check.Out, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(check.Out, $@"upstream/flaky: endpoint http://127\.0\.0\.1:{flaky.Port} is unhealthy"), check.Out);
        Assert.True(Regex.IsMatch(check.Out, @"secret/expiring-tls: tls\.crt: certificate 'CN=expiring\.example\.com' expires on \d{4}-\d\d-\d\d \(in (9|10) day\(s\)\)"), check.Out);
        Assert.DoesNotContain("No problems detected.", check.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_config_has_no_problems_and_a_broken_file_shows_the_version_still_serving()
    {
        await using var backend = await TestBackend.StartAsync("backend");
        var upstream = $"name: backend\ntype: static\nspec: {{hosts: [{{addr: 127.0.0.1, port: {backend.Port}}}]}}\n";
        _config.Write("upstreams/backend.yaml", upstream);
        _config.Write("virtualservices/site.yaml", "name: site\nroutes:\n- request_matcher: {path_prefix: /}\n  single_destination: {upstream: {name: backend}}\n");
        await using var gateway = SluiceProcess.Start("gateway", "all", Dir);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
        string[] admin = ["--admin-url", gateway.Admin];

        var clean = (await CliProcess.RunAsync(["check", .. admin, .. Dir])).AssertExit(0);
        Assert.Equal("No problems detected.", clean.Out.Trim());

        var url = (await CliProcess.RunAsync(["proxy", "url", .. admin])).AssertExit(0);
        Assert.Equal(gateway.Traffic, url.Out.Trim());
        Assert.Equal(200, await gateway.StatusOfAsync("/"));
        var stats = (await CliProcess.RunAsync(["proxy", "stats", "--filter", "sluice_requests_total", .. admin])).AssertExit(0);
        Assert.Matches(@"(?m)^sluice_requests_total\s+.*\s+[1-9]\d*$", stats.Out);

        // The file stops parsing: the gateway keeps serving version 1 and says so.
        _config.Write("upstreams/backend.yaml", upstream + "  oops: [\n");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        CliRun get;
        do
        {
            get = await CliProcess.RunAsync(["upstream", "get", "backend", .. admin, .. Dir]);
        }
        while (!get.Out.Contains("still serving (gateway", StringComparison.Ordinal) && DateTime.UtcNow < deadline && await Delay());
        get.AssertExit(0);
        Assert.True(Regex.IsMatch(get.Out, @"(?m)^backend\s+\?\s+Rejected\s+version 1 still serving \(gateway at http://127\.0\.0\.1:\d+\); not loaded: upstreams/backend\.yaml"), get.Out + get.Err);
        var wide = (await CliProcess.RunAsync(["get", "upstreams", "backend", "-o", "wide", .. admin, .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^backend\s+\?\s+\?\s+1\s+Rejected\s", wide.Out);
        Assert.Equal(200, await gateway.StatusOfAsync("/"));

        var broken = (await CliProcess.RunAsync(["check", .. admin, .. Dir])).AssertExit(1);
        Assert.Contains("upstream/backend: Rejected:", broken.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_admin_api_and_store_are_problems_too()
    {
        var port = FreePorts.Next();
        var run = (await CliProcess.RunAsync(["check", "--admin-url", $"http://127.0.0.1:{port}", "--store", "etcd", "--etcd-endpoints", $"http://127.0.0.1:{FreePorts.Next()}"], timeout: TimeSpan.FromSeconds(60))).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("admin API: the admin API at", run.Out, StringComparison.Ordinal);
        Assert.Contains("- store: etcd", run.Out, StringComparison.Ordinal);
        var offline = (await CliProcess.RunAsync(["check", "--offline", "--config-dir", Path.Combine(_config.Path, "missing")])).AssertExit(1);
        Assert.Contains("does not exist", offline.Out, StringComparison.Ordinal);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(250);
        return true;
    }

    private static string Indent(string pem) => string.Concat(pem.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => "  " + l + "\n"));

    private static (string Certificate, string Key) SelfSigned(string name, TimeSpan validFor)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow + validFor);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => _config.Dispose();
}
