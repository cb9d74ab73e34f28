using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// HTTP requests published to a real nats-server, core and JetStream: what arrives (byte-exact,
/// with headers) and every answer of the contract (200 with the PubAck, 404, 408, 413, 500).
/// </summary>
public sealed class NatsPublishTests(ITestOutputHelper output) : IAsyncLifetime
{
    private NatsServer _nats = null!;
    private GatewayFixture _gateway = null!;
    private readonly RecordingLoggerProvider _logs = new(output);
    private RawNatsClient _observer = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartAsync("max_payload: 4096");
        _gateway = await GatewayFixture.StartAsync(logs: _logs);
        _observer = await RawNatsClient.ConnectAsync(_nats.Port);
        await _observer.CreateStreamAsync("ORDERS", "\"orders.>\"");
        await _observer.CreateStreamAsync("TINY", "\"tiny.>\"", ",\"max_msgs\":1,\"discard\":\"new\"");
        await _gateway.ApplyAsync($$"""
            name: core
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_nats.Port}} }] }
            service_info:
              type: nats
              properties: { headers: [x-trace, content-type, "ce-*"] }
            ---
            name: js
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_nats.Port}} }] }
            service_info:
              type: nats-streaming
              properties: { op_timeout: 2s, headers: [x-trace] }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /core/events }
              single_destination: { function: { upstream_name: core, function_name: events.in } }
            - request_matcher: { path_prefix: /js/orders }
              single_destination: { function: { upstream_name: js, function_name: orders.created } }
            - request_matcher: { path_prefix: /js/nostream }
              single_destination: { function: { upstream_name: js, function_name: nostream.here } }
            - request_matcher: { path_prefix: /js/silent }
              single_destination: { function: { upstream_name: js, function_name: silent.listener } }
            - request_matcher: { path_prefix: /js/tiny }
              single_destination: { function: { upstream_name: js, function_name: tiny.one } }
            - request_matcher: { path_prefix: /core/bad }
              single_destination: { function: { upstream_name: core, function_name: "bad.*" } }
            - request_matcher: { path_prefix: /core/plain }
              single_destination: { upstream: { name: core } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _gateway.DisposeAsync();
        await _nats.DisposeAsync();
    }

    private static byte[] AllBytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 % 256)).ToArray();

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, bool chunked = false, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        request.Content = content;
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return await _gateway.Client.SendAsync(request);
    }

    private static async Task AssertAnswerAsync(HttpResponseMessage response, HttpStatusCode status, string code, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        Assert.Contains(text, body);
    }

    [Fact]
    public async Task Core_publish_arrives_byte_exact_with_the_configured_headers()
    {
        await _observer.SubscribeAsync("events.in");
        var body = AllBytes(3000);
        using var response = await PostAsync("/core/events", body, false,
            ("X-Trace", "abc-123"), ("Content-Type", "application/octet-stream"), ("ce-type", "com.example.x"), ("X-Secret", "not forwarded"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var message = await _observer.NextAsync();
        Assert.Equal("events.in", message.Subject);
        Assert.Equal(body, message.Payload);
        Assert.StartsWith("NATS/1.0\r\n", message.Headers);
        Assert.Contains("x-trace: abc-123\r\n", message.Headers);
        Assert.Contains("content-type: application/octet-stream\r\n", message.Headers);
        Assert.Contains("ce-type: com.example.x\r\n", message.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", message.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\n", message.Headers);
    }

    [Fact]
    public async Task Core_publish_without_selected_headers_is_a_plain_message()
    {
        await _observer.SubscribeAsync("events.in");
        using var response = await PostAsync("/core/events", "{\"a\":1}"u8.ToArray(), chunked: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await _observer.NextAsync();
        Assert.Equal("", message.Headers);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(message.Payload));
    }

    [Fact]
    public async Task JetStream_publish_answers_the_stream_and_sequence_and_is_stored()
    {
        var body = AllBytes(1000);
        using var response = await PostAsync("/js/orders", body, false, ("X-Trace", "t-1"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var ack = JsonDocument.Parse(text);
        Assert.Equal("ORDERS", ack.RootElement.GetProperty("stream").GetString());
        var seq = ack.RootElement.GetProperty("seq").GetInt64();

        var (payload, headers) = await _observer.GetStoredAsync("ORDERS", seq);
        Assert.Equal(body, payload);
        Assert.Contains("x-trace: t-1\r\n", headers);
    }

    [Fact]
    public async Task JetStream_publish_to_a_subject_no_stream_stores_is_404()
    {
        using var response = await PostAsync("/js/nostream", "x"u8.ToArray());
        await AssertAnswerAsync(response, HttpStatusCode.NotFound, "nats_no_stream", "no JetStream stream stores subject 'nostream.here'");
    }

    [Fact]
    public async Task JetStream_publish_without_an_answer_in_op_timeout_is_408()
    {
        // A core subscriber that never replies: the publish has a responder, but no PubAck comes.
        await _observer.SubscribeAsync("silent.listener");
        var started = DateTime.UtcNow;
        using var response = await PostAsync("/js/silent", "x"u8.ToArray());
        await AssertAnswerAsync(response, HttpStatusCode.RequestTimeout, "nats_timeout", "within 2000 ms");
        // op_timeout is 2 s rather than a few hundred ms: every JetStream publish of this class
        // shares it, and a loaded 2-core machine can take longer than 400 ms to confirm one.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(1900), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task JetStream_refusal_is_500_and_the_reason_is_logged()
    {
        using (var first = await PostAsync("/js/tiny", "1"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        using var second = await PostAsync("/js/tiny", "2"u8.ToArray());
        await AssertAnswerAsync(second, HttpStatusCode.InternalServerError, "nats_publish_failed", "JetStream refused the message on '");
        // JetStream's own text is the operator's, not the client's.
        Assert.DoesNotContain("maximum messages exceeded", await second.Content.ReadAsStringAsync());
        Assert.True(_logs.Contains("maximum messages exceeded"));
        Assert.Equal(1, await _observer.StreamMessageCountAsync("TINY"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Body_over_the_servers_max_payload_is_413(bool chunked)
    {
        await _observer.SubscribeAsync("events.in");
        using var response = await PostAsync("/core/events", AllBytes(5000), chunked);
        await AssertAnswerAsync(response, HttpStatusCode.RequestEntityTooLarge, "nats_payload_too_large", "max_payload of 4096 bytes");
        Assert.False(_observer.TryNext(out _));

        // Exactly max_payload (no forwarded headers) still fits.
        using var fits = await PostAsync("/core/events", AllBytes(4096), chunked);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(4096, (await _observer.NextAsync()).Payload.Length);
    }

    [Fact]
    public async Task Wildcard_subject_and_upstream_destination_are_refused()
    {
        using var bad = await PostAsync("/core/bad", "x"u8.ToArray());
        await AssertAnswerAsync(bad, HttpStatusCode.InternalServerError, "nats_invalid_subject", "'bad.*'");
        using var plain = await PostAsync("/core/plain", "x"u8.ToArray());
        await AssertAnswerAsync(plain, HttpStatusCode.NotFound, "nats_subject_missing", "function_name is the subject");
    }

    [Fact]
    public async Task Any_function_name_is_a_subject_without_a_warning()
    {
        var report = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "default");
        Assert.Equal(StatusState.Accepted, report.Status.State);
    }
}
