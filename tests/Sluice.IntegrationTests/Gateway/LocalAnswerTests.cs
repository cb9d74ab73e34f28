using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Routes that answer without an upstream (redirect, direct_response), and regex_rewrite.</summary>
public sealed class LocalAnswerTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /secure }
              redirect: { https_redirect: true }
            - request_matcher: { path_prefix: /moved }
              redirect: { host_redirect: new.example.com, path_redirect: "/landing?from=old", response_code: 308 }
            - request_matcher: { path_prefix: /docs/ }
              redirect: { prefix_rewrite: /manual/, response_code: 302, strip_query: true }
            - request_matcher: { path_exact: /health }
              direct_response: { status: 200, body: "ok" }
              extensions: { add_response_headers: [{ key: cache-control, value: no-store }] }
            - request_matcher: { path_prefix: /gone }
              direct_response: { status: 410 }
            - request_matcher: { path_regex: "/users/[0-9]+/profile" }
              single_destination: { upstream: { name: backend } }
              regex_rewrite: { pattern: "^/users/([0-9]+)/profile$", substitution: "/profiles/$1" }
            - request_matcher: { path_prefix: /v }
              single_destination: { upstream: { name: backend } }
              regex_rewrite: { pattern: "-", substitution: "_" }
            """);
    }

    [Theory]
    [InlineData("/secure/pay?x=1", HttpStatusCode.MovedPermanently, "https://HOST:HTTPS/secure/pay?x=1")]
    [InlineData("/moved/anything?y=2", HttpStatusCode.PermanentRedirect, "http://new.example.com/landing?from=old")]
    [InlineData("/docs/guide/intro?z=3", HttpStatusCode.Redirect, "http://HOST:HTTP/manual/guide/intro")]
    public async Task Redirects(string path, HttpStatusCode status, string location)
    {
        var before = Backend.Requests;
        using var response = await Gateway.Client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var expected = location
            .Replace("HOST", "127.0.0.1", StringComparison.Ordinal)
            .Replace("HTTPS", Gateway.Options.HttpsPort.ToString(), StringComparison.Ordinal)
            .Replace("HTTP", Gateway.Options.HttpPort.ToString(), StringComparison.Ordinal);
        Assert.Equal(expected, response.Headers.Location!.ToString());
        Assert.Equal(before, Backend.Requests);
    }

    [Fact]
    public async Task Direct_response_with_body_and_route_headers()
    {
        using var response = await Gateway.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.False(response.Headers.Contains("x-sluice-error"));
    }

    [Fact]
    public async Task Direct_response_without_body()
    {
        using var response = await Gateway.Client.GetAsync("/gone/x");
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/users/42/profile?full=1", "/profiles/42", "?full=1")]
    [InlineData("/v-1/a-b", "/v_1/a_b", "")]
    public async Task Regex_rewrite_replaces_every_match(string requestPath, string expectedPath, string expectedQuery)
    {
        var echo = await Gateway.GetEchoAsync(requestPath);
        Assert.Equal(expectedPath, echo.Path);
        Assert.Equal(expectedQuery, echo.Query);
    }
}
