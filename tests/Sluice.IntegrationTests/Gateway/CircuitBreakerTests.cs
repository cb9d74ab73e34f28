using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Circuit breakers trip: requests over a limit get 503 circuit_breaker_open at once.</summary>
[Collection(TimingCollection.Name)]
public sealed class CircuitBreakerTests(ITestOutputHelper output) : GatewayTest(output)
{
    private Task ApplyAsync(string breakers) => Gateway.ApplyAsync($$"""
        name: backend
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{Backend.Port}} }] }
        circuit_breakers: {{breakers}}
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: backend } }
        """);

    /// <summary>
    /// Sends <paramref name="count"/> requests at once to a backend that holds each for 3 s: long
    /// enough that all of them overlap even when a loaded machine is slow to send them.
    /// </summary>
    private async Task<HttpResponseMessage[]> BurstAsync(int count)
    {
        Backend.Delay = TimeSpan.FromSeconds(3);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Gateway.Client.GetAsync("/")));
    }

    [Theory]
    [InlineData("{ max_requests: 2 }", 2)]
    [InlineData("{ max_connections: 1, max_pending_requests: 1 }", 2)]
    public async Task Requests_over_the_limit_are_refused(string breakers, int admitted)
    {
        await ApplyAsync(breakers);
        var responses = await BurstAsync(5);
        Assert.Equal(admitted, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(5 - admitted, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.Equal("circuit_breaker_open", r.Headers.GetValues("x-sluice-error").Single());
        });

        // The breaker closes again as soon as requests finish.
        Backend.Delay = TimeSpan.Zero;
        using var after = await Gateway.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Without_breakers_every_request_is_served()
    {
        await ApplyAsync("{}");
        var responses = await BurstAsync(5);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }
}
