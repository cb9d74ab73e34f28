using System.Net;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Plugins.Aws;

/// <summary>
/// A Lambda destination goes through the same resilience loop as HTTP forwarding: the circuit
/// breaker refuses what is over the limit, AWS's own 5xx and per-try timeouts are retried (each
/// try signed anew: the fake Lambda checks every SigV4 signature and refuses a bad one), and
/// outlier detection counts failed invocations against the Lambda endpoint.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class LambdaResilienceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private FakeLambda _lambda = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _lambda = await FakeLambda.StartAsync(new() { ["AKIDEXAMPLE"] = (Secret, null) });
        _gateway = await GatewayFixture.StartAsync(output: output);
        _gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["aws"] = new([new("access_key", "AKIDEXAMPLE"), new("secret_key", Secret)]),
        });
        await _gateway.ApplyAsync($$"""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:{{_lambda.Port}}" }
            functions:
            - { name: flaky, spec: { function_name: flaky } }
            - { name: slow, spec: { function_name: slow } }
            ---
            name: lambda-guarded
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:{{_lambda.Port}}" }
            functions:
            - { name: flaky, spec: { function_name: flaky } }
            - { name: slow, spec: { function_name: slow } }
            circuit_breakers: { max_requests: 1 }
            outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s }
            ---
            name: default
            routes:
            - request_matcher: { path_exact: /retried }
              single_destination: { function: { upstream_name: lambda, function_name: flaky } }
              extensions: { retries: { retry_on: [5xx], num_retries: 2 } }
            - request_matcher: { path_exact: /once }
              single_destination: { function: { upstream_name: lambda, function_name: flaky } }
            - request_matcher: { path_exact: /per-try }
              single_destination: { function: { upstream_name: lambda, function_name: slow } }
              extensions: { timeout: 5s, retries: { retry_on: [reset], num_retries: 2, per_try_timeout: 200ms } }
            - request_matcher: { path_exact: /guarded-slow }
              single_destination: { function: { upstream_name: lambda-guarded, function_name: slow } }
              extensions: { timeout: 1500ms }
            - request_matcher: { path_exact: /guarded }
              single_destination: { function: { upstream_name: lambda-guarded, function_name: flaky } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _lambda.DisposeAsync();
    }

    private int Invocations(string function) => _lambda.Invocations.Count(i => i.Function == function);

    [Fact]
    public async Task Aws_5xx_is_retried_with_a_fresh_signature_and_the_body()
    {
        _lambda.FailNext(2);
        using var response = await _gateway.Client.PostAsync("/retried", new StringContent("{\"n\":1}"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"n\":1}", (string?)JsonNode.Parse(body)!["payload"]);
        Assert.Equal(3, Invocations("flaky"));
        // Every retry carried the same body, signed anew, and the fake accepted each signature.
        Assert.All(_lambda.Invocations, i => Assert.Equal("{\"n\":1}", i.Payload));
        Assert.Equal(0, _lambda.Refused);
    }

    [Fact]
    public async Task Without_a_retry_policy_aws_5xx_is_answered_once()
    {
        _lambda.FailNext(1);
        using var response = await _gateway.Client.PostAsync("/once", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("lambda_error", response.Headers.GetValues("x-sluice-error").Single());
        Assert.Equal(1, Invocations("flaky"));
    }

    [Fact]
    public async Task Per_try_timeout_ends_each_attempt_and_the_last_one_is_answered()
    {
        using var response = await _gateway.Client.PostAsync("/per-try", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", response.Headers.GetValues("x-sluice-error").Single());
        Assert.Equal(3, Invocations("slow"));
    }

    [Fact]
    public async Task Circuit_breaker_refuses_a_second_invocation_while_one_is_in_flight()
    {
        var first = _gateway.Client.PostAsync("/guarded-slow", new StringContent("{}"));
        await WaitUntilAsync(() => Invocations("slow") == 1);

        using var second = await _gateway.Client.PostAsync("/guarded", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("circuit_breaker_open", second.Headers.GetValues("x-sluice-error").Single());
        Assert.Equal(0, Invocations("flaky"));

        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.GatewayTimeout, firstResponse.StatusCode);
        // The breaker closes once the slow invocation has ended.
        using var after = await _gateway.Client.PostAsync("/guarded", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Failed_invocations_in_a_row_eject_the_lambda_endpoint()
    {
        using (var ok = await _gateway.Client.PostAsync("/guarded", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.False(await EjectedAsync("lambda-guarded"));

        _lambda.FailNext(2);
        for (var i = 0; i < 2; i++)
        {
            using var failed = await _gateway.Client.PostAsync("/guarded", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        Assert.True(await EjectedAsync("lambda-guarded"));
        // The other upstream at the same address keeps its own outlier state.
        Assert.False(await EjectedAsync("lambda"));
        Assert.Equal(0, _lambda.Refused);
    }

    private async Task<bool> EjectedAsync(string upstream)
    {
        var clusters = JsonNode.Parse(await _gateway.Admin.GetStringAsync("/api/v1/clusters"))!.AsArray();
        return (bool)clusters.Single(c => (string?)c!["name"] == upstream)!["endpoints"]!.AsArray().Single()!["ejected"]!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 5 s");
            await Task.Delay(20);
        }
    }
}
