using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary><c>max_retries</c>: retried on 5xx and on connect failure, bodies included.</summary>
public sealed class RetryTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;
    private int _closedPort;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync();
        _closedPort = FreePorts.Next();
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + $$"""
            name: half-closed
            type: static
            spec:
              hosts:
              - { addr: 127.0.0.1, port: {{_closedPort}} }
              - { addr: 127.0.0.1, port: {{_backend.Port}} }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /retried }
              single_destination: { upstream: { name: backend } }
              extensions: { max_retries: 2 }
            - request_matcher: { path_prefix: /once }
              single_destination: { upstream: { name: backend } }
            - request_matcher: { path_prefix: /half-closed }
              single_destination: { upstream: { name: half-closed } }
              extensions: { max_retries: 1 }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Failures_within_the_budget_are_retried_with_the_body()
    {
        _backend.FailNext(2);
        var before = _backend.Requests;
        using var response = await _gateway.Client.PostAsync("/retried", new StringContent("keep me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _backend.Requests - before);
        lock (_backend.Bodies)
        {
            Assert.All(_backend.Bodies.TakeLast(3), body => Assert.Equal("keep me", body));
        }
    }

    [Fact]
    public async Task Failures_beyond_the_budget_pass_the_last_5xx_on()
    {
        _backend.FailNext(3);
        var before = _backend.Requests;
        using var response = await _gateway.Client.GetAsync("/retried");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failing on purpose", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, _backend.Requests - before);
    }

    [Fact]
    public async Task Without_max_retries_a_5xx_is_not_retried()
    {
        _backend.FailNext(1);
        var before = _backend.Requests;
        using var response = await _gateway.Client.GetAsync("/once");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _backend.Requests - before);
    }

    [Fact]
    public async Task Connect_failure_is_retried_on_the_next_endpoint()
    {
        // Round robin alternates between the closed port and the live one; with one retry every
        // request must land on the live endpoint, whichever it started with.
        for (var i = 0; i < 6; i++)
        {
            using var response = await _gateway.Client.GetAsync("/half-closed");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
