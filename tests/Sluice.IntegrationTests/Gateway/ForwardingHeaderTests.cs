using System.Net;
using System.Net.Http.Json;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// Forwarding headers are the gateway's word, not the client's: forged ones are replaced or
/// dropped unless the peer is a trusted proxy, and headers the client named in
/// <c>Connection</c> stop at the gateway. A recording backend shows what arrives.
/// </summary>
public sealed class ForwardingHeaderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Forwarding_headers_from_an_untrusted_client_are_replaced_or_dropped()
    {
        await using var gateway = await StartGatewayAsync(ValueList<IPNetwork>.Empty);

        var echo = await SendForgedAsync(gateway);

        Assert.Equal("127.0.0.1", echo.Headers["x-forwarded-for"]);
        Assert.Equal("http", echo.Headers["x-forwarded-proto"]);
        Assert.False(echo.Headers.ContainsKey("x-forwarded-host"));
        Assert.False(echo.Headers.ContainsKey("forwarded"));
        Assert.False(echo.Headers.ContainsKey("x-real-ip"));
    }

    [Fact]
    public async Task A_trusted_proxy_keeps_its_chain_and_the_gateway_appends_the_peer()
    {
        await using var gateway = await StartGatewayAsync(new ValueList<IPNetwork>([IPNetwork.Parse("127.0.0.0/8")]));

        var echo = await SendForgedAsync(gateway);

        Assert.Equal("203.0.113.7, 127.0.0.1", echo.Headers["x-forwarded-for"]);
        // A TLS-terminating load balancer knows the client's scheme; the gateway, on plain HTTP, does not.
        Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        Assert.Equal("shop.example.com", echo.Headers["x-forwarded-host"]);
        Assert.Equal("for=203.0.113.7", echo.Headers["forwarded"]);
        Assert.Equal("203.0.113.7", echo.Headers["x-real-ip"]);
    }

    [Fact]
    public async Task A_peer_outside_the_trusted_networks_is_not_trusted()
    {
        await using var gateway = await StartGatewayAsync(new ValueList<IPNetwork>([IPNetwork.Parse("10.0.0.0/8")]));

        var echo = await SendForgedAsync(gateway);

        Assert.Equal("127.0.0.1", echo.Headers["x-forwarded-for"]);
        Assert.False(echo.Headers.ContainsKey("x-real-ip"));
    }

    [Fact]
    public async Task Headers_named_in_connection_are_not_forwarded()
    {
        await using var gateway = await StartGatewayAsync(ValueList<IPNetwork>.Empty);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Connection.Add("x-hop-secret");
        request.Headers.Connection.Add("X-Other-Hop");
        request.Headers.Add("x-hop-secret", "for the gateway only");
        request.Headers.Add("x-other-hop", "also");
        request.Headers.Add("x-end-to-end", "kept");

        using var response = await gateway.Client.SendAsync(request);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(echo.Headers.ContainsKey("x-hop-secret"));
        Assert.False(echo.Headers.ContainsKey("x-other-hop"));
        Assert.False(echo.Headers.ContainsKey("connection"));
        Assert.Equal("kept", echo.Headers["x-end-to-end"]);
    }

    private async Task<GatewayFixture> StartGatewayAsync(ValueList<IPNetwork> trustedProxies)
    {
        var gateway = await GatewayFixture.StartAsync(new GatewayOptions { TrustedProxies = trustedProxies }, output: output);
        await gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        return gateway;
    }

    /// <summary>What a client claiming to be behind a proxy sends (the gateway listens on plain HTTP).</summary>
    private static async Task<EchoResponse> SendForgedAsync(GatewayFixture gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("x-forwarded-for", "203.0.113.7");
        request.Headers.Add("x-forwarded-proto", "https");
        request.Headers.Add("x-forwarded-host", "shop.example.com");
        request.Headers.Add("forwarded", "for=203.0.113.7");
        request.Headers.Add("x-real-ip", "203.0.113.7");
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
    }
}
