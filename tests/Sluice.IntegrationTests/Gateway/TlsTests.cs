using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// TLS termination on one HTTPS port: certificates chosen by SNI, TLS-only virtual services,
/// mTLS, and certificates rotated under open connections. Certificates are made in the test.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : GatewayTest(output)
{
    private readonly TestCertificates _authority = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["a-tls"] = Secret(_authority.Server("a.example.com")),
            ["b-tls"] = Secret(_authority.Server("b.example.com", "*.b.example.com")),
        });
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: a
            domains: [a.example.com]
            ssl_config: { secret_ref: a-tls }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-vs, value: a }] }
            ---
            name: b
            domains: [b.example.com, '*.b.example.com']
            ssl_config: { secret_ref: b-tls }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-vs, value: b }] }
            ---
            name: plain
            domains: [plain.example.com]
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _authority.Dispose();
    }

    [Theory]
    [InlineData("a.example.com", "a")]
    [InlineData("b.example.com", "b")]
    [InlineData("x.b.example.com", "b")]
    public async Task Certificate_and_virtual_service_are_chosen_by_sni(string name, string expectedService)
    {
        using var client = new TlsClient(Gateway.Options.HttpsPort, _authority);
        var echo = await client.GetEchoAsync(name, "/hello");
        Assert.Equal(expectedService, echo.Headers["x-vs"]);
        Assert.Contains(name.StartsWith("x.", StringComparison.Ordinal) ? "b.example.com" : name, client.ServerCertificate!.Subject);
        Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
    }

    [Fact]
    public async Task Http2_is_negotiated_with_alpn()
    {
        using var client = new TlsClient(Gateway.Options.HttpsPort, _authority, HttpVersion.Version20);
        using var response = await client.GetAsync("a.example.com", "/");
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Name_without_a_certificate_is_refused_in_the_handshake()
    {
        using var client = new TlsClient(Gateway.Options.HttpsPort, _authority);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("plain.example.com", "/"));
        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Tls_virtual_service_is_not_served_in_the_clear()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/x") { Headers = { Host = "a.example.com" } };
        using var response = await Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://a.example.com:{Gateway.Options.HttpsPort}/x", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Missing_secret_rejects_the_virtual_service_only()
    {
        await Gateway.ApplyAsync("""
            name: c
            domains: [c.example.com]
            ssl_config: { secret_ref: nowhere }
            routes: []
            """);
        var status = Gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "c").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("ssl secret not found for ref nowhere", status.Reason);
        using var client = new TlsClient(Gateway.Options.HttpsPort, _authority);
        await client.GetEchoAsync("a.example.com", "/");
    }

    [Fact]
    public async Task Mutual_tls_accepts_clients_of_the_ca_and_refuses_the_rest()
    {
        using var stranger = new TestCertificates("Stranger CA");
        await RequireClientCertificatesForAAsync();

        using var member = new TlsClient(Gateway.Options.HttpsPort, _authority, clientCertificate: _authority.ClientCertificate("member"));
        Assert.Equal("a", (await member.GetEchoAsync("a.example.com", "/")).Headers["x-vs"]);
        using var outsider = new TlsClient(Gateway.Options.HttpsPort, _authority, clientCertificate: stranger.ClientCertificate("outsider"));
        await Assert.ThrowsAsync<HttpRequestException>(() => outsider.GetAsync("a.example.com", "/"));
        // b has no tls.root: no client certificate asked for.
        using var anonymousB = new TlsClient(Gateway.Options.HttpsPort, _authority);
        Assert.Equal("b", (await anonymousB.GetEchoAsync("b.example.com", "/")).Headers["x-vs"]);
    }

    [Theory]
    [InlineData("1.3.6.1.5.5.7.3.1")] // serverAuth only: e.g. one of the CA's server certificates
    [InlineData]                       // no extended key usage at all ("any purpose")
    public async Task Mutual_tls_refuses_certificates_of_the_ca_not_issued_for_client_authentication(params string[] usages)
    {
        await RequireClientCertificatesForAAsync();

        using var wrongUsage = new TlsClient(Gateway.Options.HttpsPort, _authority, clientCertificate: _authority.CertificateWithUsages("member", usages));
        await Assert.ThrowsAsync<HttpRequestException>(() => wrongUsage.GetAsync("a.example.com", "/"));
        using var clientAuth = new TlsClient(Gateway.Options.HttpsPort, _authority, clientCertificate: _authority.CertificateWithUsages("member", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"));
        Assert.Equal("a", (await clientAuth.GetEchoAsync("a.example.com", "/")).Headers["x-vs"]);
    }

    /// <summary>Adds <c>tls.root</c> to a's secret and waits until anonymous clients are refused.</summary>
    private async Task RequireClientCertificatesForAAsync()
    {
        var (certificate, key) = _authority.Server("a.example.com");
        Gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["a-tls"] = new([KeyValuePair.Create("tls.crt", certificate), KeyValuePair.Create("tls.key", key), KeyValuePair.Create("tls.root", _authority.CaPem)]),
            ["b-tls"] = Secret(_authority.Server("b.example.com")),
        });
        await WaitUntilAsync(async () =>
        {
            using var anonymous = new TlsClient(Gateway.Options.HttpsPort, _authority);
            try
            {
                await anonymous.GetAsync("a.example.com", "/");
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        });
    }

    [Fact]
    public async Task Rotated_certificate_serves_new_connections_while_open_ones_keep_going()
    {
        using var open = new TlsClient(Gateway.Options.HttpsPort, _authority);
        await open.GetEchoAsync("a.example.com", "/");
        var before = open.ServerCertificate!.SerialNumber;

        Gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["a-tls"] = Secret(_authority.Server("a.example.com")),
            ["b-tls"] = Secret(_authority.Server("b.example.com")),
        });
        string? after = null;
        await WaitUntilAsync(async () =>
        {
            using var fresh = new TlsClient(Gateway.Options.HttpsPort, _authority);
            await fresh.GetEchoAsync("a.example.com", "/");
            after = fresh.ServerCertificate!.SerialNumber;
            return after != before;
        });

        // The connection opened before the rotation still serves, on its original certificate.
        for (var i = 0; i < 3; i++)
        {
            await open.GetEchoAsync("a.example.com", "/again");
        }
        Assert.Equal(1, open.Handshakes);
        Assert.Equal(before, open.ServerCertificate!.SerialNumber);
    }

    private static ValueMap Secret((string CertificatePem, string KeyPem) pair) =>
        new([KeyValuePair.Create("tls.crt", pair.CertificatePem), KeyValuePair.Create("tls.key", pair.KeyPem)]);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the change was not applied within 5 s");
            await Task.Delay(20);
        }
    }
}
