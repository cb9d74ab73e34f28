using System.Text;
using Sluice.Api;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;
using Sluice.Translation;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Translation;

/// <summary>
/// A refused update of a secret or file leaves what was accepted with its last good contents
/// serving; a secret or file that is gone is gone, like a deleted upstream.
/// </summary>
public sealed class LastGoodInputsTranslationTests : IDisposable
{
    private const string Shop = "name: shop\ndomains: [shop.example.com]\nssl_config: { secret_ref: shop-tls }\nroutes: []\n";
    private const string Lambda = """
        name: lambda
        type: aws
        spec: { region: us-east-1, secret_ref: aws-creds }
        functions:
        - { name: hello, spec: { function_name: hello } }

        """;

    private readonly TestCertificates _authority = new();

    public void Dispose() => _authority.Dispose();

    private static ConfigSnapshot With(string yaml, params (string Ref, ValueMap Secret)[] secrets) =>
        Snapshot(yaml) with { Secrets = secrets.ToDictionary(s => s.Ref, s => s.Secret) };

    private static ValueMap Map(params (string Key, string Value)[] entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));

    private ValueMap Tls(string host)
    {
        var (certificate, key) = _authority.Server(host);
        return Map(("tls.crt", certificate), ("tls.key", key));
    }

    [Fact]
    public void Mismatched_certificate_update_keeps_the_last_accepted_certificate_serving()
    {
        var good = Tls("shop.example.com");
        var first = Translate(With(Shop, ("shop-tls", good)));
        var mismatched = Map(("tls.crt", good["tls.crt"]), ("tls.key", Tls("other.example.com")["tls.key"]));

        var second = Translate(With(Shop, ("shop-tls", mismatched)), first.State);

        Assert.Equal(good["tls.crt"], Assert.Single(second.Plan.VirtualHosts).Tls!.CertificatePem);
        var status = second.StatusOf(ConfigKind.VirtualService, "shop");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.StartsWith("ssl_config: the certificate and key do not form a usable certificate", status.Reason);
        Assert.EndsWith("; the last accepted version (resource_version unknown) keeps serving, with the last accepted contents of 'shop-tls'", status.Reason);

        // It stays so, translation after translation, until a good certificate arrives.
        var third = Translate(With(Shop, ("shop-tls", mismatched)), second.State);
        Assert.Equal(good["tls.crt"], Assert.Single(third.Plan.VirtualHosts).Tls!.CertificatePem);
        var rotated = Tls("shop.example.com");
        var fourth = Translate(With(Shop, ("shop-tls", rotated)), third.State);
        Assert.Equal(rotated["tls.crt"], Assert.Single(fourth.Plan.VirtualHosts).Tls!.CertificatePem);
        Assert.Equal(StatusState.Accepted, fourth.StatusOf(ConfigKind.VirtualService, "shop").State);
    }

    [Fact]
    public void Secret_that_no_longer_parses_keeps_its_last_contents_and_says_why()
    {
        var good = Tls("shop.example.com");
        var first = Translate(With(Shop, ("shop-tls", good)));
        var unreadable = Snapshot(Shop) with
        {
            SecretErrors = new Dictionary<string, string> { ["shop-tls"] = "secrets/shop-tls:2:1: a secret is a flat map of strings" },
        };

        var second = Translate(unreadable, first.State);

        Assert.Equal(good["tls.crt"], Assert.Single(second.Plan.VirtualHosts).Tls!.CertificatePem);
        Assert.StartsWith(
            "ssl_config.secret_ref: ssl secret not found for ref shop-tls; secret 'shop-tls' could not be read: secrets/shop-tls:2:1: a secret is a flat map of strings; the last accepted version",
            second.StatusOf(ConfigKind.VirtualService, "shop").Reason);
    }

    [Fact]
    public void Deleted_secret_is_like_a_deleted_upstream_nothing_stands_in_for_it()
    {
        var first = Translate(With(Shop, ("shop-tls", Tls("shop.example.com"))));

        var second = Translate(Snapshot(Shop), first.State);

        Assert.Empty(second.Plan.VirtualHosts);
        Assert.Equal(
            "ssl_config.secret_ref: ssl secret not found for ref shop-tls; nothing is served for it",
            second.StatusOf(ConfigKind.VirtualService, "shop").Reason);
    }

    [Fact]
    public void Rotated_secret_takes_effect_while_the_objects_own_update_is_refused()
    {
        var first = Translate(With(Shop, ("shop-tls", Tls("shop.example.com"))));
        var rotated = Tls("shop.example.com");
        var badUpdate = Shop.Replace("routes: []", "routes: [{ request_matcher: { path_regex: '(' }, direct_response: { status: 200 } }]");

        var second = Translate(With(badUpdate, ("shop-tls", rotated)), first.State);

        Assert.Equal(StatusState.Rejected, second.StatusOf(ConfigKind.VirtualService, "shop").State);
        Assert.Equal(rotated["tls.crt"], Assert.Single(second.Plan.VirtualHosts).Tls!.CertificatePem);
        Assert.DoesNotContain("last accepted contents", second.StatusOf(ConfigKind.VirtualService, "shop").Reason);
    }

    [Fact]
    public void Bad_aws_credentials_update_keeps_the_lambda_cluster_signing_with_the_old_keys()
    {
        var good = Map(("access_key", "AKIDEXAMPLE"), ("secret_key", "old-secret"));
        var first = Translate(With(Lambda, ("aws-creds", good)));
        var bad = Map(("access_key", "AKIDEXAMPLE"));

        var second = Translate(With(Lambda, ("aws-creds", bad)), first.State);

        Assert.Equal(first.Plan.Clusters, second.Plan.Clusters);
        Assert.Equal(
            "spec.secret_ref: key secret_key missing from secret 'aws-creds'; the last accepted version (resource_version unknown) keeps serving, with the last accepted contents of 'aws-creds'",
            second.StatusOf(ConfigKind.Upstream, "lambda").Reason);
    }

    [Fact]
    public void Bad_file_update_keeps_the_last_accepted_file()
    {
        const string files = "name: shop\ndomains: [shop.example.com]\nssl_config: { ssl_files: { tls_cert: /certs/shop.crt, tls_key: /certs/shop.key } }\nroutes: []\n";
        var good = Tls("shop.example.com");
        ConfigSnapshot Files(string certificate) => Snapshot(files) with
        {
            Files = new Dictionary<string, ReadOnlyMemory<byte>>
            {
                [TlsFileRefs.ForPath("/certs/shop.crt")] = Encoding.UTF8.GetBytes(certificate),
                [TlsFileRefs.ForPath("/certs/shop.key")] = Encoding.UTF8.GetBytes(good["tls.key"]),
            },
        };
        var first = Translate(Files(good["tls.crt"]));

        var second = Translate(Files("-----BEGIN CERTIFICATE-----\nhalf written"), first.State);

        Assert.Equal(good["tls.crt"], Assert.Single(second.Plan.VirtualHosts).Tls!.CertificatePem);
        Assert.Contains($"with the last accepted contents of '{TlsFileRefs.ForPath("/certs/shop.crt")}'", second.StatusOf(ConfigKind.VirtualService, "shop").Reason);
    }
}
