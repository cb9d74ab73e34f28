using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Answers the gateway makes itself, each with its status and x-sluice-error code.</summary>
public sealed class GatewayAnswerTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;
    private int _closedPort;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync();
        _closedPort = FreePorts.Next();
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + TestConfig.Upstream("closed", _closedPort) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /slow }
              single_destination: { upstream: { name: backend } }
              prefix_rewrite: /delay/3000
              extensions: { timeout: 300ms }
            - request_matcher: { path_prefix: /nanos }
              single_destination: { upstream: { name: backend } }
              prefix_rewrite: /delay/3000
              extensions: { timeout: 300000000 }
            - request_matcher: { path_prefix: /closed }
              single_destination: { upstream: { name: closed } }
            - request_matcher: { path_prefix: /missing }
              single_destination: { upstream: { name: nowhere } }
            - request_matcher: { path_prefix: /abort }
              single_destination: { upstream: { name: backend } }
            - request_matcher: { path_prefix: /status }
              single_destination: { upstream: { name: backend } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("/slow", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/nanos", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/closed", HttpStatusCode.ServiceUnavailable, "upstream_connect_failure")]
    [InlineData("/missing", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    [InlineData("/abort", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/unrouted", HttpStatusCode.NotFound, "no_route")]
    public async Task Gateway_made_answers(string path, HttpStatusCode status, string code)
    {
        using var response = await _gateway.Client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.False(string.IsNullOrWhiteSpace(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Timeout_answers_within_the_route_timeout()
    {
        var started = DateTime.UtcNow;
        using var response = await _gateway.Client.GetAsync("/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), "the 300 ms timeout did not cut the 3 s request short");
    }

    [Fact]
    public async Task Tls_only_virtual_service_redirects_plain_http_to_https()
    {
        await _gateway.ApplyAsync("""
            name: secure
            domains: [secure.example.com]
            ssl_config: { secret_ref: secure-cert }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        var before = _backend.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/pay?x=1") { Headers = { Host = "secure.example.com:8080" } };
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("https://secure.example.com:8443/pay?x=1", response.Headers.Location!.ToString());
        Assert.Equal(before, _backend.Requests);
    }

    [Fact]
    public async Task Upstream_errors_are_passed_on_not_replaced()
    {
        using var response = await _gateway.Client.GetAsync("/status/503");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("x-sluice-error"));
    }
}
