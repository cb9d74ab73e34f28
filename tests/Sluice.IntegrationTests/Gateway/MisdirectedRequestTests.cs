using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// SNI picks the certificate and the client-certificate check, Host picks the virtual service:
/// a request whose Host belongs to another TLS virtual service than the connection's handshake is
/// answered 421, so nobody reaches an mTLS service over a connection that skipped mTLS.
/// </summary>
public sealed class MisdirectedRequestTests(ITestOutputHelper output) : GatewayTest(output)
{
    private readonly TestCertificates _authority = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (mtlsCertificate, mtlsKey) = _authority.Server("mtls.local");
        Gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["mtls"] = new([KeyValuePair.Create("tls.crt", mtlsCertificate), KeyValuePair.Create("tls.key", mtlsKey), KeyValuePair.Create("tls.root", _authority.CaPem)]),
            ["open"] = Secret(_authority.Server("open.local", "open-alias.local")),
            ["wild"] = Secret(_authority.Server("*.example.com")),
            ["fallback"] = Secret(_authority.Server("fallback.local")),
        });
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port)
            + Service("mtls", "[mtls.local]", "mtls")
            + "---\n" + Service("open", "[open.local, open-alias.local]", "open")
            + "---\n" + Service("wild", "['*.example.com']", "wild")
            + "---\n" + Service("fallback", "['*']", "fallback"));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _authority.Dispose();
    }

    [Fact]
    public async Task Http1_request_for_the_mtls_service_on_a_connection_without_mtls_is_misdirected()
    {
        using var client = new SniClient(Gateway.Options.HttpsPort, _authority, "open.local");
        Assert.Contains("\"x-vs\":\"open\"", (await client.GetAsync("open.local")).Body);

        AssertMisdirected(await client.GetAsync("mtls.local"), "mtls.local");
        Assert.Equal(1, client.Connections);
        Assert.Equal(1, Backend.Requests);
    }

    [Fact]
    public async Task Http2_connection_reuse_does_not_reach_another_tls_service()
    {
        await using var connection = await RawHttp2Connection.OpenAsync(Gateway.Options.HttpsPort, "open.local");
        Assert.Contains("\"x-vs\":\"open\"", (await connection.GetAsync("open.local")).Body);

        var (headers, body) = await connection.GetAsync("mtls.local");

        AssertMisdirected(headers, body, "mtls.local");
        // The same connection still serves its own names, the certificate's other name included.
        Assert.Contains("\"x-vs\":\"open\"", (await connection.GetAsync("open-alias.local")).Body);
        Assert.Equal(2, Backend.Requests);
    }

    [Fact]
    public async Task Wildcard_sni_serves_its_own_names_and_no_other_service()
    {
        await using var connection = await RawHttp2Connection.OpenAsync(Gateway.Options.HttpsPort, "a.example.com");
        Assert.Contains("\"x-vs\":\"wild\"", (await connection.GetAsync("a.example.com")).Body);
        Assert.Contains("\"x-vs\":\"wild\"", (await connection.GetAsync("b.example.com")).Body);

        var (headers, body) = await connection.GetAsync("mtls.local");

        AssertMisdirected(headers, body, "mtls.local");
    }

    [Fact]
    public async Task Mtls_connection_does_not_reach_a_wildcard_service()
    {
        using var client = new SniClient(Gateway.Options.HttpsPort, _authority, "mtls.local", _authority.ClientCertificate("member"));
        Assert.Contains("\"x-vs\":\"mtls\"", (await client.GetAsync("mtls.local")).Body);

        AssertMisdirected(await client.GetAsync("a.example.com"), "a.example.com");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("unknown.test")]
    public async Task Connection_on_the_default_certificate_reaches_only_the_default_service(string? serverName)
    {
        using var client = new SniClient(Gateway.Options.HttpsPort, _authority, serverName);
        Assert.Contains("\"x-vs\":\"fallback\"", (await client.GetAsync("anything.test")).Body);

        AssertMisdirected(await client.GetAsync("mtls.local"), "mtls.local");
    }

    /// <summary>421 and the error code in a raw HTTP/2 header block (literal, not Huffman-coded).</summary>
    private static void AssertMisdirected(string headerBlock, string body, string host)
    {
        Assert.Contains("421", headerBlock);
        Assert.Contains("misdirected_request", headerBlock);
        Assert.DoesNotContain("x-vs", body);
        Assert.Contains($"'{host}'", body);
    }

    /// <summary>The gateway's own answer, naming the host: nothing reached the backend.</summary>
    private static void AssertMisdirected((HttpStatusCode Status, string? Error, string Body) response, string host)
    {
        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.Status);
        Assert.Equal("misdirected_request", response.Error);
        Assert.DoesNotContain("x-vs", response.Body);
        Assert.Contains($"'{host}'", response.Body);
    }

    private static string Service(string name, string domains, string secret) => $$"""
        name: {{name}}
        domains: {{domains}}
        ssl_config: { secret_ref: {{secret}} }
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: backend } }
          extensions: { add_request_headers: [{ key: x-vs, value: {{name}} }] }

        """;

    private static ValueMap Secret((string CertificatePem, string KeyPem) pair) =>
        new([KeyValuePair.Create("tls.crt", pair.CertificatePem), KeyValuePair.Create("tls.key", pair.KeyPem)]);
}
