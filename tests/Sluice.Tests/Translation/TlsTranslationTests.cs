using Sluice.Api;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;
using Sluice.Translation;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Translation;

public sealed class TlsTranslationTests : IDisposable
{
    private readonly TestCertificates _authority = new();

    public void Dispose() => _authority.Dispose();

    private TranslationResult TranslateWith(string sslConfig, IReadOnlyDictionary<string, ValueMap> secrets, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? files = null)
    {
        var snapshot = Snapshot(Backend + $"name: shop\ndomains: [shop.example.com, '*.shop.example.com']\nssl_config: {sslConfig}\nroutes: []\n") with
        {
            Secrets = secrets,
            Files = files ?? new Dictionary<string, ReadOnlyMemory<byte>>(),
        };
        return Translate(snapshot);
    }

    private Dictionary<string, ValueMap> Secret(string name, params (string Key, string Value)[] entries) =>
        new() { [name] = new ValueMap(entries.Select(e => KeyValuePair.Create(e.Key, e.Value))) };

    [Fact]
    public void Secret_certificate_is_served_for_the_domains()
    {
        var (certificate, key) = _authority.Server("shop.example.com");
        var result = TranslateWith("{ secret_ref: shop-tls }", Secret("shop-tls", ("tls.crt", certificate), ("tls.key", key)));
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.VirtualService, "shop").State);
        var tls = Assert.Single(result.Plan.VirtualHosts).Tls!;
        Assert.Equal(["shop.example.com", "*.shop.example.com"], tls.ServerNames);
        Assert.Null(tls.ClientCaPem);
    }

    [Fact]
    public void Sni_domains_and_gloo_0_2_keys_and_client_ca()
    {
        var (certificate, key) = _authority.Server("api.example.com");
        var result = TranslateWith(
            "{ secret_ref: legacy, sni_domains: [API.example.com] }",
            Secret("legacy", ("ca_chain", certificate), ("private_key", key), ("tls.root", _authority.CaPem)));
        var tls = Assert.Single(result.Plan.VirtualHosts).Tls!;
        Assert.Equal(["api.example.com"], tls.ServerNames);
        Assert.Equal(_authority.CaPem, tls.ClientCaPem);
    }

    [Fact]
    public void Ssl_files_are_read_from_the_snapshot_files()
    {
        var (certificate, key) = _authority.Server("shop.example.com");
        var files = new Dictionary<string, ReadOnlyMemory<byte>>
        {
            [TlsFileRefs.ForPath("/certs/shop.crt")] = System.Text.Encoding.UTF8.GetBytes(certificate),
            [TlsFileRefs.ForPath("/certs/shop.key")] = System.Text.Encoding.UTF8.GetBytes(key),
        };
        var result = TranslateWith("{ ssl_files: { tls_cert: /certs/shop.crt, tls_key: /certs/shop.key } }", new Dictionary<string, ValueMap>(), files);
        Assert.Equal(certificate, Assert.Single(result.Plan.VirtualHosts).Tls!.CertificatePem);
    }

    [Theory]
    [InlineData("{ secret_ref: nope }", "ssl_config.secret_ref: ssl secret not found for ref nope")]
    [InlineData("{ secret_ref: only-cert }", "secret 'only-cert' has neither tls.key nor private_key")]
    [InlineData("{ secret_ref: garbage }", "the certificate and key do not form a usable certificate")]
    [InlineData("{ secret_ref: mismatched }", "ssl_config: the certificate and key do not form a usable certificate")]
    [InlineData("{ ssl_files: { tls_cert: /missing.crt, tls_key: /missing.key } }", "ssl_config.ssl_files.tls_cert: file '/missing.crt' could not be read")]
    [InlineData("{ sni_domains: [a.example.com] }", "must specify either 'secret_ref' or 'ssl_files'")]
    public void Bad_tls_rejects_the_virtual_service(string sslConfig, string expected)
    {
        var (certificate, _) = _authority.Server("shop.example.com");
        var (_, otherKey) = _authority.Server("other.example.com");
        var secrets = new Dictionary<string, ValueMap>
        {
            ["only-cert"] = new([KeyValuePair.Create("tls.crt", certificate)]),
            ["garbage"] = new([KeyValuePair.Create("tls.crt", "not pem"), KeyValuePair.Create("tls.key", "not pem")]),
            ["mismatched"] = new([KeyValuePair.Create("tls.crt", certificate), KeyValuePair.Create("tls.key", otherKey)]),
        };
        var result = TranslateWith(sslConfig, secrets);
        var status = result.StatusOf(ConfigKind.VirtualService, "shop");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }
}
