using System.Net;
using System.Net.Http.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Where requests go and how they change on the way: splits, rewrites, headers.</summary>
public sealed class ForwardingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _blue = null!;
    private TestBackend _green = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _blue = await TestBackend.StartAsync("blue");
        _green = await TestBackend.StartAsync("green");
        _gateway = await GatewayFixture.StartAsync(output: output);
        await _gateway.ApplyAsync(TestConfig.Upstream("blue", _blue.Port) + TestConfig.Upstream("green", _green.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /split }
              multiple_destinations:
              - destination: { upstream: { name: blue } }
                weight: 80
              - destination: { upstream: { name: green } }
                weight: 20
            - request_matcher: { path_prefix: /api/ }
              single_destination: { upstream: { name: blue } }
              prefix_rewrite: /
            - request_matcher: { path_prefix: /v1 }
              single_destination: { upstream: { name: blue } }
              prefix_rewrite: /internal/v2
            - request_matcher: { path_exact: /old }
              single_destination: { upstream: { name: blue } }
              prefix_rewrite: /new
            - request_matcher: { path_prefix: /headers }
              single_destination: { upstream: { name: blue } }
              extensions:
                add_request_headers:
                - { key: x-added, value: one }
                - { key: x-replaced, value: gateway }
                - { key: x-appended, value: gateway, append: true }
                - { key: content-language, value: fr }
                add_response_headers:
                - { key: x-response-added, value: yes }
                remove_response_headers: [x-backend]
                host_rewrite: rewritten.example.com
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _blue.DisposeAsync();
        await _green.DisposeAsync();
    }

    [Fact]
    public async Task Weighted_split_follows_the_weights()
    {
        // 2,000 requests at p = 0.8: the standard deviation of the blue count is sqrt(2000·0.8·0.2)
        // ≈ 17.9, so ±90 (five deviations) fails a correct split about once in 1.7 million runs.
        const int total = 2000;
        var blue = 0;
        var requests = Enumerable.Range(0, total).Select(async _ =>
        {
            using var response = await _gateway.Client.GetAsync("/split");
            response.EnsureSuccessStatusCode();
            return response.Headers.GetValues("x-backend").Single();
        });
        foreach (var backend in await Task.WhenAll(requests))
        {
            blue += backend == "blue" ? 1 : 0;
        }
        Assert.InRange(blue, 1600 - 90, 1600 + 90);
    }

    [Theory]
    [InlineData("/api/users/7?x=1", "/users/7", "?x=1")]
    [InlineData("/api/", "/", "")]
    [InlineData("/v1/orders", "/internal/v2/orders", "")]
    [InlineData("/old", "/new", "")]
    [InlineData("/old?keep=me", "/new", "?keep=me")]
    public async Task Prefix_rewrite(string requestPath, string expectedPath, string expectedQuery)
    {
        var echo = await _gateway.GetEchoAsync(requestPath);
        Assert.Equal(expectedPath, echo.Path);
        Assert.Equal(expectedQuery, echo.Query);
    }

    [Fact]
    public async Task Header_extensions_change_request_and_response()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("x-replaced", "client");
        request.Headers.Add("x-appended", "client");
        using var response = await _gateway.Client.SendAsync(request);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;

        Assert.Equal("one", echo.Headers["x-added"]);
        Assert.Equal("gateway", echo.Headers["x-replaced"]);
        Assert.Equal("client, gateway", echo.Headers["x-appended"]);
        Assert.Equal("rewritten.example.com", echo.Headers["host"]);
        Assert.Equal("127.0.0.1", echo.Headers["x-forwarded-for"]);
        Assert.Equal("yes", response.Headers.GetValues("x-response-added").Single());
        Assert.False(response.Headers.Contains("x-backend"));
    }

    [Fact]
    public async Task Content_header_is_set_on_requests_with_a_body()
    {
        using var response = await _gateway.Client.PostAsync("/headers", new StringContent("x"));
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fr", echo.Headers["content-language"]);
    }

    [Fact]
    public async Task Request_body_and_method_pass_through()
    {
        using var response = await _gateway.Client.PutAsync("/api/things", new StringContent("payload"));
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("PUT", echo.Method);
        Assert.Equal("payload", echo.Body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
