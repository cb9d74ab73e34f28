using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plugins.Aws;

namespace Sluice.IntegrationTests.Plugins.Aws;

/// <summary>
/// Lambda routes end to end: the gateway signs and invokes a local Invoke API that checks every
/// signature as AWS would, and turns its answers into HTTP responses.
/// </summary>
public sealed class LambdaTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private FakeLambda _lambda = null!;
    private GatewayFixture _gateway = null!;
    private readonly RecordingLoggerProvider _logs = new(output);

    public async Task InitializeAsync()
    {
        _lambda = await FakeLambda.StartAsync(new()
        {
            ["AKIDEXAMPLE"] = (Secret, null),
            ["ASIATEMP"] = ("temp-secret", "session-token-1"),
        });
        _gateway = await GatewayFixture.StartAsync(logs: _logs);
        _gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["aws"] = new([new("access_key", "AKIDEXAMPLE"), new("secret_key", Secret)]),
            ["aws-wrong"] = new([new("access_key", "AKIDEXAMPLE"), new("secret_key", "not-the-secret")]),
            ["aws-temp"] = new([new("access_key", "ASIATEMP"), new("secret_key", "temp-secret"), new("session_token", "session-token-1")]),
        });
        var endpoint = $"http://127.0.0.1:{_lambda.Port}";
        await _gateway.ApplyAsync($$"""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "{{endpoint}}", max_request_bytes: 256 }
            functions:
            - { name: echo, spec: { function_name: echo } }
            - { name: echo-prod, spec: { function_name: echo, qualifier: prod } }
            - { name: echo-latest, spec: { function_name: echo, qualifier: $LATEST } }
            - { name: echo-arn, spec: { function_name: "arn:aws:lambda:us-east-1:123456789012:function:echo" } }
            - { name: fail, spec: { function_name: fail } }
            - { name: api, spec: { function_name: api } }
            - { name: binary, spec: { function_name: binary } }
            - { name: missing, spec: { function_name: not-deployed } }
            - { name: slow, spec: { function_name: slow } }
            ---
            name: lambda-wrong-secret
            type: aws
            spec: { region: us-east-1, secret_ref: aws-wrong, endpoint: "{{endpoint}}" }
            functions: [{ name: echo, spec: { function_name: echo } }]
            ---
            name: lambda-temp
            type: aws
            spec: { region: us-east-1, secret_ref: aws-temp, endpoint: "{{endpoint}}" }
            functions: [{ name: echo, spec: { function_name: echo } }]
            ---
            name: lambda-down
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:1" }
            functions: [{ name: echo, spec: { function_name: echo } }]
            ---
            name: default
            routes:
            - request_matcher: { path_exact: /slow }
              single_destination: { function: { upstream_name: lambda, function_name: slow } }
              extensions: { timeout: 300ms }
            - request_matcher: { path_exact: /down }
              single_destination: { function: { upstream_name: lambda-down, function_name: echo } }
            - request_matcher: { path_exact: /echo }
              single_destination: { function: { upstream_name: lambda, function_name: echo } }
            - request_matcher: { path_exact: /prod }
              single_destination: { function: { upstream_name: lambda, function_name: echo-prod } }
            - request_matcher: { path_exact: /latest }
              single_destination: { function: { upstream_name: lambda, function_name: echo-latest } }
            - request_matcher: { path_exact: /arn }
              single_destination: { function: { upstream_name: lambda, function_name: echo-arn } }
            - request_matcher: { path_exact: /async }
              single_destination: { function: { upstream_name: lambda, function_name: echo } }
              extensions: { execution_style: async }
            - request_matcher: { path_exact: /fail }
              single_destination: { function: { upstream_name: lambda, function_name: fail } }
            - request_matcher: { path_exact: /unwrap }
              single_destination: { function: { upstream_name: lambda, function_name: api } }
              extensions: { unwrap_as_api_gateway: true, add_response_headers: [{ key: x-route, value: lambda }] }
            - request_matcher: { path_prefix: /api }
              single_destination: { function: { upstream_name: lambda, function_name: api } }
              extensions: { request_as_api_gateway: true, unwrap_as_api_gateway: true }
            - request_matcher: { path_exact: /binary }
              single_destination: { function: { upstream_name: lambda, function_name: binary } }
              extensions: { unwrap_as_api_gateway: true }
            - request_matcher: { path_exact: /not-a-proxy-result }
              single_destination: { function: { upstream_name: lambda, function_name: echo } }
              extensions: { unwrap_as_api_gateway: true }
            - request_matcher: { path_exact: /missing }
              single_destination: { function: { upstream_name: lambda, function_name: missing } }
            - request_matcher: { path_exact: /wrong-secret }
              single_destination: { function: { upstream_name: lambda-wrong-secret, function_name: echo } }
            - request_matcher: { path_exact: /temp }
              single_destination: { function: { upstream_name: lambda-temp, function_name: echo } }
            - request_matcher: { path_exact: /no-function }
              single_destination: { upstream: { name: lambda } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _lambda.DisposeAsync();
    }

    [Fact]
    public async Task Sync_invocation_returns_the_functions_result_unchanged()
    {
        using var response = await _gateway.Client.PostAsync("/echo", new StringContent("""{"x":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("echo", result.GetProperty("function").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("qualifier").ValueKind);
        Assert.Equal("""{"x":1}""", result.GetProperty("payload").GetString());
        Assert.Contains(_lambda.Invocations, i => i.Function == "echo" && i.InvocationType == "RequestResponse");
    }

    [Theory]
    [InlineData("/prod", "prod")]
    [InlineData("/latest", "$LATEST")]
    public async Task Qualifier_is_sent_and_signed(string path, string qualifier)
    {
        using var response = await _gateway.Client.PostAsync(path, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(qualifier, result.GetProperty("qualifier").GetString());
    }

    [Fact]
    public async Task Function_arn_is_encoded_in_the_path_and_signed_double_encoded()
    {
        using var response = await _gateway.Client.PostAsync("/arn", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("function").GetString());
    }

    [Fact]
    public async Task Async_invocation_answers_202_and_queues_an_event()
    {
        using var response = await _gateway.Client.PostAsync("/async", new StringContent("""{"event":true}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Contains(_lambda.Invocations, i => i.InvocationType == "Event" && i.Payload == """{"event":true}""");
    }

    [Fact]
    public async Task Function_error_is_a_502_with_the_functions_message()
    {
        using var response = await _gateway.Client.PostAsync("/fail", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("lambda_function_error", response.Headers.GetValues("x-sluice-error").Single());
        // The function's own message is for the operator, not the client.
        Assert.DoesNotContain("boom", await response.Content.ReadAsStringAsync());
        Assert.True(_logs.Contains("boom: the function threw"));
    }

    [Fact]
    public async Task Unwrap_turns_a_proxy_result_into_the_response()
    {
        using var response = await _gateway.Client.PostAsync("/unwrap", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("lambda", response.Headers.GetValues("x-from").Single());
        Assert.Equal("lambda", response.Headers.GetValues("x-route").Single());
        Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("set-cookie"));
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("raw", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unwrap_decodes_a_base64_body()
    {
        using var response = await _gateway.Client.GetAsync("/binary");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unwrap_of_something_else_is_a_502()
    {
        using var response = await _gateway.Client.PostAsync("/not-a-proxy-result", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("lambda_bad_proxy_result", response.Headers.GetValues("x-sluice-error").Single());
        Assert.DoesNotContain("statusCode", await response.Content.ReadAsStringAsync());
        Assert.True(_logs.Contains("statusCode is missing"));
    }

    [Fact]
    public async Task Request_as_api_gateway_sends_a_proxy_event()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/things?q=42") { Content = new StringContent("hello", Encoding.UTF8, "text/plain") };
        request.Headers.Add("X-Test", "yes");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("PUT /api/things q=42 x-test=yes body=hello b64=False", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_as_api_gateway_sends_binary_bodies_base64_encoded()
    {
        var content = new ByteArrayContent([0, 1, 2, 255]);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await _gateway.Client.PostAsync("/api/blob", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("POST /api/blob q= x-test= body=AAEC/w== b64=True", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_endpoint()
    {
        var refusedBefore = Volatile.Read(ref _lambda.Refused);
        using var response = await _gateway.Client.PostAsync("/wrong-secret", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("lambda_error", response.Headers.GetValues("x-sluice-error").Single());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("(403)", text);
        Assert.DoesNotContain("signature", text);
        Assert.True(_logs.Contains("The request signature we calculated does not match"));
        Assert.Equal(refusedBefore + 1, Volatile.Read(ref _lambda.Refused));
    }

    [Fact]
    public async Task Session_token_is_sent_and_signed()
    {
        using var response = await _gateway.Client.PostAsync("/temp", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_endpoint_refuses_a_body_that_does_not_match_the_signature()
    {
        // Sign one payload with Sluice's signer, send another: the fake must notice.
        var signer = new SigV4Signer(new AwsCredentials("AKIDEXAMPLE", Secret), "us-east-1", "lambda");
        var host = $"127.0.0.1:{_lambda.Port}";
        var path = "/2015-03-31/functions/echo/invocations";
        var signature = signer.Sign("POST", path, "", [new("host", host)], "signed"u8, DateTime.UtcNow);
        using var client = new HttpClient();
        async Task<HttpStatusCode> SendAsync(string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{host}{path}") { Content = new StringContent(body) };
            request.Headers.TryAddWithoutValidation("x-amz-date", signature.AmzDate);
            request.Headers.TryAddWithoutValidation("authorization", signature.Authorization);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await SendAsync("signed"));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync("tampered"));
    }

    [Fact]
    public async Task A_missing_function_is_a_502_naming_it()
    {
        using var response = await _gateway.Client.PostAsync("/missing", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("Lambda refused to invoke 'not-deployed' (404)", await response.Content.ReadAsStringAsync());
        Assert.True(_logs.Contains("Function not found: not-deployed"));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var invocations = _lambda.Invocations.Count;
        using var response = await _gateway.Client.PostAsync("/echo", new StringContent(new string('x', 257)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", response.Headers.GetValues("x-sluice-error").Single());

        // Without a declared length the limit holds too.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StreamContent(new MemoryStream(new byte[1000])) };
        chunked.Headers.TransferEncodingChunked = true;
        using var second = await _gateway.Client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second.StatusCode);
        Assert.Equal(invocations, _lambda.Invocations.Count);
    }

    [Theory]
    [InlineData("/slow", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/down", HttpStatusCode.ServiceUnavailable, "upstream_connect_failure")]
    public async Task Timeouts_and_unreachable_endpoints_get_the_gateways_answers(string path, HttpStatusCode status, string code)
    {
        using var response = await _gateway.Client.PostAsync(path, new StringContent("{}"));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
    }

    [Fact]
    public async Task A_route_to_the_upstream_itself_names_no_function()
    {
        using var response = await _gateway.Client.GetAsync("/no-function");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no_function", response.Headers.GetValues("x-sluice-error").Single());
    }
}
