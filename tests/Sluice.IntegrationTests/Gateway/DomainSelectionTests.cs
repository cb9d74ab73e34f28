using System.Net;
using System.Net.Http.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Exact domain, then the longest wildcard, then the default; the port is ignored.</summary>
public sealed class DomainSelectionTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var config = TestConfig.Upstream("backend", Backend.Port);
        foreach (var (name, domains) in new[]
        {
            ("exact", "[api.example.com]"),
            ("wild", "['*.example.com']"),
            ("longer-wild", "['*-bar.example.com']"),
            ("default", "[]"),
        })
        {
            config += $$"""
                name: {{name}}
                domains: {{domains}}
                routes:
                - request_matcher: { path_prefix: / }
                  single_destination: { upstream: { name: backend } }
                  extensions: { add_request_headers: [{ key: x-vs, value: {{name}} }] }
                ---

                """;
        }
        await Gateway.ApplyAsync(config);
    }

    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.Example.com:8080", "exact")]
    [InlineData("www.example.com", "wild")]
    [InlineData("a.b.example.com", "wild")]
    [InlineData("foo-bar.example.com", "longer-wild")]
    [InlineData("example.com", "default")]
    [InlineData("other.org", "default")]
    public async Task Host_picks_virtual_service(string host, string expected)
    {
        var echo = await Gateway.GetEchoAsync("/", host);
        Assert.Equal(expected, echo.Headers["x-vs"]);
        // Envoy kept the client's Host for IP upstreams, and so does Sluice.
        Assert.Equal(host, echo.Headers["host"]);
    }

    [Fact]
    public async Task No_virtual_service_for_host_answers_404()
    {
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            domains: [only.example.com]
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "elsewhere.org" } };
        using var response = await Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no_virtual_service", response.Headers.GetValues("x-sluice-error").Single());
        Assert.Contains("elsewhere.org", await response.Content.ReadAsStringAsync());
    }
}
