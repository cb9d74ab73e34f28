using System.Net;
using System.Net.Http.Json;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>How the gateway talks to upstreams: verified TLS, client certificates, HTTP/2.</summary>
public sealed class UpstreamProtocolTests(ITestOutputHelper output) : GatewayTest(output)
{
    private readonly TestCertificates _authority = new();
    private readonly List<TestBackend> _backends = [];

    public override async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
        await base.DisposeAsync();
        _authority.Dispose();
    }

    private async Task<TestBackend> StartAsync(HttpProtocolsChoice protocols = HttpProtocolsChoice.Http1, bool tls = false, bool requireClientCertificate = false)
    {
        var backend = await TestBackend.StartAsync(
            "upstream",
            protocols,
            tls ? _authority.ServerCertificate("backend.internal") : null,
            requireClientCertificate);
        _backends.Add(backend);
        return backend;
    }

    private Task ApplyAsync(int port, string upstreamExtras, string specExtras) => Gateway.ApplyAsync($$"""
        name: upstream
        type: static
        {{upstreamExtras}}
        spec:
          hosts: [{ addr: 127.0.0.1, port: {{port}} }]
          {{specExtras}}
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: upstream } }
        """);

    [Fact]
    public async Task Upstream_certificate_is_verified_against_the_configured_ca()
    {
        var backend = await StartAsync(tls: true);
        Gateway.Store.SetFiles(new Dictionary<string, ReadOnlyMemory<byte>> { ["internal-ca"] = System.Text.Encoding.UTF8.GetBytes(_authority.CaPem) });
        await ApplyAsync(backend.Port, "", "tls: { sni: backend.internal, root_ca: internal-ca }");

        var echo = await Gateway.GetEchoAsync("/secure");
        Assert.Equal("https", echo.Headers["x-echo-scheme"]);
    }

    [Theory]
    [InlineData("tls: { sni: backend.internal, root_ca: other-ca }", "upstream_tls_failure")]
    [InlineData("tls: { sni: wrong.internal, root_ca: internal-ca }", "upstream_tls_failure")]
    [InlineData("tls: true", "upstream_tls_failure")]
    public async Task Verification_failure_is_a_503_with_the_reason(string tls, string code)
    {
        var backend = await StartAsync(tls: true);
        using var stranger = new TestCertificates("Stranger CA");
        Gateway.Store.SetFiles(new Dictionary<string, ReadOnlyMemory<byte>>
        {
            ["internal-ca"] = System.Text.Encoding.UTF8.GetBytes(_authority.CaPem),
            ["other-ca"] = System.Text.Encoding.UTF8.GetBytes(stranger.CaPem),
        });
        await ApplyAsync(backend.Port, "", tls);

        using var response = await Gateway.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        Assert.Contains("TLS with upstream 'upstream' failed", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task Client_certificate_from_the_secret_is_presented()
    {
        var backend = await StartAsync(tls: true, requireClientCertificate: true);
        var (certificate, key) = _authority.Client("sluice-gateway");
        Gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["upstream-mtls"] = new([KeyValuePair.Create("tls.crt", certificate), KeyValuePair.Create("tls.key", key), KeyValuePair.Create("tls.root", _authority.CaPem)]),
        });
        await ApplyAsync(backend.Port, "", "tls: { sni: backend.internal, secret_ref: upstream-mtls }");

        var echo = await Gateway.GetEchoAsync("/");
        Assert.Equal("CN=sluice-gateway", echo.Headers["x-echo-client-certificate"]);
    }

    [Fact]
    public async Task Missing_upstream_secret_rejects_the_upstream()
    {
        var backend = await StartAsync(tls: true);
        await ApplyAsync(backend.Port, "", "tls: { secret_ref: nope, root_ca: nofile }");
        var status = Gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Kind == ConfigKind.Upstream).Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("spec.tls.secret_ref: secret 'nope' not found", status.Reason);
        Assert.Contains("spec.tls.root_ca: file 'nofile' not found", status.Reason);
    }

    [Fact]
    public async Task Use_http2_speaks_http2_to_a_cleartext_upstream_and_passes_trailers()
    {
        var backend = await StartAsync(HttpProtocolsChoice.Http2);
        await ApplyAsync(backend.Port, "use_http2: true", "");

        var echo = await Gateway.GetEchoAsync("/");
        Assert.Equal("HTTP/2", echo.Protocol);

        // gRPC's shape end to end: HTTP/2 on both sides, status in trailers.
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.GetAsync($"http://127.0.0.1:{Gateway.Options.Http2Port}/trailers");
        Assert.Equal("payload", await response.Content.ReadAsStringAsync());
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task Without_use_http2_an_http2_only_upstream_fails()
    {
        var backend = await StartAsync(HttpProtocolsChoice.Http2);
        await ApplyAsync(backend.Port, "", "");
        using var response = await Gateway.Client.GetAsync("/");
        // Kestrel refuses HTTP/1.1 on an HTTP/2-only endpoint; the request never reaches the app.
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, backend.Requests);
    }
}
