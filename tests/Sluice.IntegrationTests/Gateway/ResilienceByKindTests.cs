using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// Destinations that forward over HTTP through an invoker (a REST function's templates, a Google
/// Cloud Function's path, an OpenFaaS function's path) get the same retries and circuit breaker
/// as a plain upstream: one resilience loop for every kind. (Lambda and NATS, which call their
/// upstream their own way, have their own test classes.)
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ResilienceByKindTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync(output: output);
        var port = _backend.Port;
        const string Guard = "circuit_breakers: { max_requests: 1 }";
        await _gateway.ApplyAsync($$"""
            name: plain
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            {{Guard}}
            ---
            name: rest
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            functions: [{ name: item, spec: { path: /items/fixed, headers: { x-rendered: "yes" } } }]
            {{Guard}}
            ---
            name: gcf
            type: google
            spec: { region: us-central1, project_id: my-project, endpoint: "http://127.0.0.1:{{port}}" }
            functions: [{ name: hello, spec: { url: "https://us-central1-my-project.cloudfunctions.net/hello" } }]
            {{Guard}}
            ---
            name: openfaas
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            service_info: { type: openfaas }
            functions: [{ name: figlet }]
            {{Guard}}
            ---
            name: default
            routes:
            {{Routes("plain", "upstream: { name: plain }")}}
            {{Routes("rest", "function: { upstream_name: rest, function_name: item }")}}
            {{Routes("gcf", "function: { upstream_name: gcf, function_name: hello }")}}
            {{Routes("openfaas", "function: { upstream_name: openfaas, function_name: figlet }")}}
            """);
    }

    /// <summary>/kind/retried retries 5xx twice; /kind/once does not retry.</summary>
    private static string Routes(string kind, string destination) => $$"""
        - request_matcher: { path_prefix: /{{kind}}/retried }
          single_destination: { {{destination}} }
          extensions: { retries: { retry_on: [5xx], num_retries: 2 } }
        - request_matcher: { path_prefix: /{{kind}}/once }
          single_destination: { {{destination}} }
        """;

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("rest")]
    [InlineData("gcf")]
    [InlineData("openfaas")]
    public async Task A_5xx_is_retried_under_a_retry_policy_and_passed_on_without_one(string kind)
    {
        _backend.FailNext(2, 503);
        using (var retried = await _gateway.Client.PostAsync($"/{kind}/retried", new StringContent("body")))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }
        Assert.Equal(3, _backend.Requests);

        _backend.FailNext(1, 503);
        using var once = await _gateway.Client.PostAsync($"/{kind}/once", new StringContent("body"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, once.StatusCode);
        Assert.Equal(4, _backend.Requests);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("rest")]
    [InlineData("gcf")]
    [InlineData("openfaas")]
    public async Task The_circuit_breaker_refuses_what_is_over_the_limit(string kind)
    {
        _backend.Delay = TimeSpan.FromMilliseconds(500);
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => _gateway.Client.PostAsync($"/{kind}/once", new StringContent("body"))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r =>
            Assert.Equal("circuit_breaker_open", r.Headers.GetValues("x-sluice-error").Single()));
    }
}
