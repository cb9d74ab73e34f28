using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

public sealed class CorsTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
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

    [Fact]
    public async Task Preflight_is_answered_even_though_the_route_only_allows_POST()
    {
        var before = Backend.Requests;
        using var response = await Gateway.Client.SendAsync(Preflight("https://app.example.com"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.example.com", response.Headers.GetValues("access-control-allow-origin").Single());
        Assert.Equal("POST, PUT", response.Headers.GetValues("access-control-allow-methods").Single());
        Assert.Equal("content-type, x-token", response.Headers.GetValues("access-control-allow-headers").Single());
        Assert.Equal("600", response.Headers.GetValues("access-control-max-age").Single());
        Assert.Equal("true", response.Headers.GetValues("access-control-allow-credentials").Single());
        Assert.Equal(before, Backend.Requests);
    }

    [Fact]
    public async Task Preflight_from_a_foreign_origin_is_refused_and_not_echoed()
    {
        using var response = await Gateway.Client.SendAsync(Preflight("https://evil.example.com"));
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
        using var response = await Gateway.Client.SendAsync(request);
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
