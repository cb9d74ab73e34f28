using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

public sealed class CorsTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync();
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /orders, verbs: [POST] }
              single_destination: { upstream: { name: backend } }
              extensions:
                cors:
                  allow_origin: [https://app.example.com]
                  allow_methods: POST, PUT
                  allow_headers: content-type, x-token
                  expose_headers: x-backend
                  max_age: 600s
                  allow_credentials: true
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Preflight_is_answered_even_though_the_route_only_allows_POST()
    {
        var before = _backend.Requests;
        using var response = await _gateway.Client.SendAsync(Preflight("https://app.example.com"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.example.com", response.Headers.GetValues("access-control-allow-origin").Single());
        Assert.Equal("POST, PUT", response.Headers.GetValues("access-control-allow-methods").Single());
        Assert.Equal("content-type, x-token", response.Headers.GetValues("access-control-allow-headers").Single());
        Assert.Equal("600", response.Headers.GetValues("access-control-max-age").Single());
        Assert.Equal("true", response.Headers.GetValues("access-control-allow-credentials").Single());
        Assert.Equal(before, _backend.Requests);
    }

    [Fact]
    public async Task Preflight_from_a_foreign_origin_is_refused_and_not_echoed()
    {
        using var response = await _gateway.Client.SendAsync(Preflight("https://evil.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("cors_origin_not_allowed", response.Headers.GetValues("x-sluice-error").Single());
        Assert.False(response.Headers.Contains("access-control-allow-origin"));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://evil.example.com", false)]
    public async Task Actual_request_gets_cors_headers_only_for_allowed_origins(string origin, bool allowed)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent("{}") };
        request.Headers.Add("Origin", origin);
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(allowed, response.Headers.Contains("access-control-allow-origin"));
        Assert.Equal(allowed, response.Headers.Contains("access-control-expose-headers"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/orders");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }
}
