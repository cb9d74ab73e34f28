using System.Net;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Answers the gateway makes itself, each with its status and x-sluice-error code.</summary>
public sealed class GatewayAnswerTests(ITestOutputHelper output) : GatewayTest(output)
{
    private int _closedPort;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _closedPort = FreePorts.Next();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + TestConfig.Upstream("closed", _closedPort) + """
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

    [Theory]
    [InlineData("/slow", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/nanos", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/closed", HttpStatusCode.ServiceUnavailable, "upstream_connect_failure")]
    [InlineData("/missing", HttpStatusCode.ServiceUnavailable, "upstream_unavailable")]
    [InlineData("/abort", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/unrouted", HttpStatusCode.NotFound, "no_route")]
    public async Task Gateway_made_answers(string path, HttpStatusCode status, string code)
    {
        using var response = await Gateway.Client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        // The body repeats the code for clients that read only bodies, with a reason for people.
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, body.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Timeout_answers_within_the_route_timeout()
    {
        var started = DateTime.UtcNow;
        using var response = await Gateway.Client.GetAsync("/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), "the 300 ms timeout did not cut the 3 s request short");
    }

    [Fact]
    public async Task Upstream_errors_are_passed_on_not_replaced()
    {
        using var response = await Gateway.Client.GetAsync("/status/503");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.Contains("x-sluice-error"));
    }
}
