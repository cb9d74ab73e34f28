using System.Security.Authentication;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.Plan;
using Sluice.Tests.Infrastructure;

namespace Sluice.Tests.Gateway;

/// <summary>TLS records keep their key material out of logs; TLS below 1.2 is never offered.</summary>
public sealed class TlsPlanTests : IDisposable
{
    private readonly TestCertificates _authority = new();

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void Tls_plan_text_shows_names_and_no_key_material()
    {
        var plan = Plan();

        var text = plan.ToString();
        // And so does every record that holds it, e.g. a virtual host of a logged plan.
        var hostText = new VirtualHostPlan { Name = "shop", Domains = new(["shop.example.com"]), Routes = ValueList<RoutePlan>.Empty, Tls = plan }.ToString();

        foreach (var shown in new[] { text, hostText })
        {
            Assert.Contains("shop.example.com", shown);
            Assert.Contains("MutualTls = True", shown);
            Assert.DoesNotContain("PRIVATE KEY", shown);
            Assert.DoesNotContain("CERTIFICATE", shown);
            Assert.DoesNotContain(PemBody(plan.KeyPem), shown);
        }
    }

    [Fact]
    public void Upstream_tls_plan_text_shows_what_is_set_and_no_key_material()
    {
        var (certificate, key) = _authority.Client("gateway");
        var plan = new UpstreamTlsPlan { RootCaPem = _authority.CaPem, ClientCertificatePem = certificate, ClientKeyPem = key };

        var text = plan.ToString();

        Assert.Equal("UpstreamTlsPlan { RootCa = <redacted>, ClientCertificate = <redacted>, ClientKey = <redacted> }", text);
        Assert.Equal("UpstreamTlsPlan { RootCa = none, ClientCertificate = none, ClientKey = none }", new UpstreamTlsPlan().ToString());
    }

    [Fact]
    public void Server_handshakes_offer_tls_1_2_and_1_3_only()
    {
        using var context = new TlsContext(Plan(), new TlsScope(new(["shop.example.com"]), null));

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, context.Options.EnabledSslProtocols);
    }

    private TlsPlan Plan()
    {
        var (certificate, key) = _authority.Server("shop.example.com");
        return new TlsPlan { CertificatePem = certificate, KeyPem = key, ClientCaPem = _authority.CaPem, ServerNames = new(["shop.example.com"]) };
    }

    /// <summary>A line from the middle of a PEM block: base64 of the key itself.</summary>
    private static string PemBody(string pem) => pem.Split('\n')[1];
}
