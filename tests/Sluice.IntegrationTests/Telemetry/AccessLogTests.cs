using System.Net;
using System.Text.Json;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>Access log lines, written to a real file off the request path: JSON, one per request, allow-listed fields.</summary>
public sealed class AccessLogTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sluice-access-{Guid.NewGuid():N}.log");
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Every_request_gets_one_JSON_line_with_its_facts()
    {
        byte[] okBody;
        await using (var gateway = await StartGatewayAsync(new AccessLogOptions { Path = _path }))
        {
            using var traced = new HttpRequestMessage(HttpMethod.Post, "/api/echo?x=1") { Content = new StringContent("hello") };
            traced.Headers.TryAddWithoutValidation("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");
            traced.Headers.UserAgent.ParseAdd("access-log-test/1.0");
            using var ok = await gateway.Client.SendAsync(traced);
            okBody = await ok.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

            _backend.FailNext(1);
            using var retried = await gateway.Client.GetAsync("/api/retried");
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);

            using var notFound = await gateway.Client.GetAsync("/nowhere");
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        }   // disposing the gateway drains the writer

        var lines = ReadLines();
        Assert.Equal(3, lines.Count);

        // Lines are in completion order; find them by path so a late finish cannot reorder the test.
        JsonElement Line(string path) => Assert.Single(lines, l => l.GetProperty("path").GetString() == path);
        var first = Line("/api/echo");
        Assert.Equal(AccessLogFields.All, first.EnumerateObject().Select(p => p.Name));
        Assert.True(DateTime.UtcNow - first.GetProperty("time").GetDateTime().ToUniversalTime() < TimeSpan.FromMinutes(1));
        Assert.Equal("POST", first.GetProperty("method").GetString());
        Assert.Equal("/api/echo", first.GetProperty("path").GetString());
        Assert.Equal("?x=1", first.GetProperty("query").GetString());
        Assert.Equal("HTTP/1.1", first.GetProperty("protocol").GetString());
        Assert.Equal(200, first.GetProperty("status").GetInt32());
        Assert.Equal(5, first.GetProperty("bytes_received").GetInt64());
        Assert.Equal(okBody.Length, first.GetProperty("bytes_sent").GetInt64());
        Assert.True(first.GetProperty("duration_ms").GetDouble() >= first.GetProperty("upstream_ms").GetDouble());
        Assert.Equal("default", first.GetProperty("virtual_service").GetString());
        Assert.Equal("default/0", first.GetProperty("route").GetString());
        Assert.Equal("backend", first.GetProperty("upstream").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("function").ValueKind);
        Assert.Equal($"http://127.0.0.1:{_backend.Port}", first.GetProperty("endpoint").GetString());
        Assert.Equal(0, first.GetProperty("retries").GetInt32());
        Assert.Equal(TraceId, first.GetProperty("trace_id").GetString());
        Assert.Equal("127.0.0.1", first.GetProperty("client").GetString());
        Assert.Equal("access-log-test/1.0", first.GetProperty("user_agent").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("error").ValueKind);

        Assert.Equal("default/1", Line("/api/retried").GetProperty("route").GetString());
        Assert.Equal(1, Line("/api/retried").GetProperty("retries").GetInt32());

        var missing = Line("/nowhere");
        Assert.Equal(404, missing.GetProperty("status").GetInt32());
        Assert.Equal("no_route", missing.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("upstream_ms").ValueKind);
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("endpoint").ValueKind);
    }

    [Fact]
    public async Task A_body_framed_by_content_length_reaches_the_client_and_is_counted()
    {
        await using (var gateway = await StartGatewayAsync(new AccessLogOptions { Path = _path }))
        {
            // The access log wraps the response body to count it; the direct forwarder must flush through it.
            using var response = await gateway.Client.GetAsync("/api/echo/fixed-length");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("hello", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(5, Assert.Single(ReadLines()).GetProperty("bytes_sent").GetInt64());
    }

    [Fact]
    public async Task An_upstream_that_sets_x_sluice_error_is_not_logged_as_a_gateway_error()
    {
        await using (var gateway = await StartGatewayAsync(new AccessLogOptions { Path = _path }))
        {
            using var response = await gateway.Client.GetAsync("/api/echo/sets-sluice-error/upstream_own_code");
            // Passed on as the upstream sent it...
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("upstream_own_code", response.Headers.GetValues("x-sluice-error").Single());
        }
        // ...but the gateway did not fail: telemetry reads the gateway's error feature, not the header.
        var line = Assert.Single(ReadLines());
        Assert.Equal(503, line.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Only_allowed_fields_are_written()
    {
        await using (var gateway = await StartGatewayAsync(new AccessLogOptions { Path = _path, Fields = new ValueList<string>(["status", "ROUTE", "method"]) }))
        {
            using var response = await gateway.Client.GetAsync("/api/echo");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var line = Assert.Single(ReadLines());
        // In line order, whatever order the allow-list named them in.
        Assert.Equal(["method", "status", "route"], line.EnumerateObject().Select(p => p.Name));
        Assert.Equal(200, line.GetProperty("status").GetInt32());
    }

    [Fact]
    public void An_unknown_field_is_refused_with_the_known_ones()
    {
        var error = AccessLogFields.Check(["status", "latency"]);
        Assert.NotNull(error);
        Assert.Contains("'latency'", error);
        Assert.Contains("duration_ms", error);
        Assert.Null(AccessLogFields.Check(["status", "Trace_Id"]));
    }

    private List<JsonElement> ReadLines() =>
        File.ReadAllLines(_path).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private async Task<GatewayFixture> StartGatewayAsync(AccessLogOptions accessLog)
    {
        var gateway = await GatewayFixture.StartAsync(new GatewayOptions { AccessLog = accessLog }, output: output);
        await gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /api/echo }
              single_destination: { upstream: { name: backend } }
            - request_matcher: { path_prefix: /api/retried }
              single_destination: { upstream: { name: backend } }
              extensions: { max_retries: 1 }
            """);
        return gateway;
    }
}
