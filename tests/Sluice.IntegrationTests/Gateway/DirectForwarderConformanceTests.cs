using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// The direct forwarder against YARP's path, differentially: two gateways that differ only in
/// <see cref="GatewayOptions.UpstreamClient"/>, one scripted backend on a raw socket, and the same
/// raw requests through each. What the backend receives (request line, headers, framing, body,
/// connection) and what the client receives (status line, headers but Date, framing, body) must be
/// the same. Received headers are compared as a set in name order: HttpClient writes the content
/// headers after the others, the direct forwarder in the client's order, and header order across
/// names carries no meaning (RFC 9110 §5.3); the values of one name keep their order.
/// </summary>
public sealed class DirectForwarderConformanceTests : IAsyncLifetime
{
    private readonly ScriptedBackend _backend = new();
    private GatewayFixture _direct = null!;
    private GatewayFixture _yarp = null!;

    public async Task InitializeAsync()
    {
        _direct = await GatewayFixture.StartAsync(new GatewayOptions { UpstreamClient = UpstreamClient.Direct });
        _yarp = await GatewayFixture.StartAsync(new GatewayOptions { UpstreamClient = UpstreamClient.Yarp });
        await _direct.ApplyAsync(Config(_backend.Port));
        await _yarp.ApplyAsync(Config(_backend.Port));
    }

    private static string Config(int port) => $$"""
        name: scripted
        type: static
        spec:
          hosts: [{ addr: 127.0.0.1, port: {{port}} }]
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: /rewritten/ }
          single_destination: { upstream: { name: scripted } }
          prefix_rewrite: /echo/
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: scripted } }
        """;

    public async Task DisposeAsync()
    {
        await _direct.DisposeAsync();
        await _yarp.DisposeAsync();
        await _backend.DisposeAsync();
    }

    public static TheoryData<string, string, string> Exchanges => new()
    {
        { "GET, length-delimited answer", "GET /plain?q=1&r=%20 HTTP/1.1\r\nHost: conformance.test\r\nAccept: */*\r\nX-Multi: a\r\nX-Multi: b\r\nCookie: a=1\r\nCookie: b=2\r\nUser-Agent: test/1.0\r\n\r\n", "" },
        { "path rewrite", "GET /rewritten/x%20y?z=1 HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "hop-by-hop and Connection options dropped", "GET /echo HTTP/1.1\r\nHost: conformance.test\r\nConnection: keep-alive, X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n", "" },
        { "forwarding headers from an untrusted client replaced", "GET /echo HTTP/1.1\r\nHost: conformance.test\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\nForwarded: for=6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n\r\n", "" },
        { "POST with Content-Length", "POST /echo HTTP/1.1\r\nHost: conformance.test\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n", "hello world" },
        { "POST chunked", "POST /echo HTTP/1.1\r\nHost: conformance.test\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" },
        { "POST without body", "POST /echo HTTP/1.1\r\nHost: conformance.test\r\nContent-Length: 0\r\n\r\n", "" },
        { "DELETE without body", "DELETE /echo HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "chunked answer", "GET /chunked HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "answer ended by close", "GET /close-delimited HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "204", "GET /no-content HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "304", "GET /not-modified HTTP/1.1\r\nHost: conformance.test\r\nIf-None-Match: \"v1\"\r\n\r\n", "" },
        { "HEAD", "HEAD /head HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "large headers both ways", $"GET /large-headers HTTP/1.1\r\nHost: conformance.test\r\nX-Big: {new string('z', 16_000)}\r\n\r\n", "" },
        { "response head over 64 KiB", "GET /head-over-64k HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "custom reason phrase", "GET /reason HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "invalid status line", "GET /bad-status HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "invalid Content-Length", "GET /bad-length HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
        { "interim 103 skipped", "GET /interim HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "" },
    };

    [Theory]
    [MemberData(nameof(Exchanges))]
    public async Task Same_exchange_through_either_forwarder(string name, string head, string body)
    {
        var direct = await ExchangeAsync(_direct, head, body);
        var yarp = await ExchangeAsync(_yarp, head, body);

        Assert.True(direct.Response.Length > 0, name);
        Assert.Equal(yarp.Received, direct.Received);
        Assert.Equal(yarp.Response, direct.Response);
    }

    /// <summary>
    /// Kestrel leaves an encoded slash encoded in the path; the direct forwarder sends it on as the
    /// client wrote it. (YARP's path, after a prefix rewrite, escapes its '%' again: <c>%252F</c>.)
    /// </summary>
    [Fact]
    public async Task Prefix_rewrite_keeps_an_encoded_slash()
    {
        var (received, _) = await ExchangeAsync(_direct, "GET /rewritten/x%2Fy HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");

        Assert.StartsWith("GET /echo/x%2Fy HTTP/1.1\n", received);
    }

    /// <summary>An answer framed both ways is read by its chunks, and its Content-Length is not passed on (it would contradict the body).</summary>
    [Fact]
    public async Task Chunked_framing_overrides_a_Content_Length()
    {
        var (_, response) = await ExchangeAsync(_direct, "GET /chunked-and-length HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.DoesNotContain("content-length: 3", response);
        Assert.EndsWith("\nhello\n", response);
    }

    [Fact]
    public async Task Invalid_status_line_is_answered_as_an_upstream_reset()
    {
        var (_, response) = await ExchangeAsync(_direct, "GET /bad-status HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");

        Assert.StartsWith("HTTP/1.1 502", response);
        Assert.Contains("upstream_reset", response);
    }

    /// <summary>
    /// An HTTP/1.1 client gets the chunked body without its trailers from Kestrel either way. The
    /// direct forwarder drops the upstream's <c>Trailer</c> header as hop-by-hop (it announces
    /// fields of the upstream's own framing); YARP's path passes it on.
    /// </summary>
    [Fact]
    public async Task Chunked_answer_with_trailers_to_an_HTTP1_client()
    {
        const string head = "GET /trailers HTTP/1.1\r\nHost: conformance.test\r\nTE: trailers\r\n\r\n";
        var direct = await ExchangeAsync(_direct, head, "");
        var yarp = await ExchangeAsync(_yarp, head, "");

        Assert.Equal(yarp.Received, direct.Received);
        Assert.DoesNotContain("te: trailers", direct.Received);
        Assert.Contains("[chunked]\ndata\n", direct.Response);
        Assert.Equal(yarp.Response.Replace("trailer: X-Checksum\n", ""), direct.Response);
    }

    /// <summary>Kestrel sends trailers to an HTTP/2 client (not to an HTTP/1.1 one): the upstream's chunked trailers reach it through either forwarder.</summary>
    [Fact]
    public async Task Trailers_reach_an_HTTP2_client()
    {
        var seen = new List<string>();
        foreach (var gateway in new[] { _direct, _yarp })
        {
            using var client = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.Options.Http2Port}/trailers")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Host = "conformance.test";
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            seen.Add($"{body}|{string.Join(",", response.TrailingHeaders.Select(t => $"{t.Key}={string.Join(";", t.Value)}"))}");
        }
        // HTTP/2 sends field names in lower case.
        Assert.Equal(["data|x-checksum=abc123", "data|x-checksum=abc123"], seen);
    }

    [Fact]
    public async Task Expect_100_continue_sends_the_body_after_the_go_ahead()
    {
        const string head = "PUT /echo HTTP/1.1\r\nHost: conformance.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
        var direct = await ExpectContinueAsync(_direct, head);
        var yarp = await ExpectContinueAsync(_yarp, head);

        Assert.Contains("HTTP/1.1 200", direct.Response);
        Assert.Contains("\nbody", direct.Response);
        Assert.Equal(yarp.Received, direct.Received);
        Assert.Equal(yarp.Response, direct.Response);
    }

    /// <summary>
    /// The upstream refuses before the go-ahead: neither forwarder sends it the body. The direct one
    /// waits for the upstream before reading the client's body, so the client gets the refusal
    /// without a 100 Continue and need not send its body either (YARP's path reads it first, so
    /// Kestrel tells the client to go ahead).
    /// </summary>
    [Fact]
    public async Task Expect_100_continue_refused_sends_no_body()
    {
        const string head = "PUT /expect-refused HTTP/1.1\r\nHost: conformance.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
        var direct = await ExpectContinueAsync(_direct, head);
        var yarp = await ExpectContinueAsync(_yarp, head);

        Assert.StartsWith("HTTP/1.1 413", direct.Response);
        Assert.Equal(yarp.Received, direct.Received);
        Assert.Equal(yarp.Response, "HTTP/1.1 100 Continue\n" + direct.Response);
    }

    [Fact]
    public async Task Upstream_reset_mid_body_ends_the_client_response_early()
    {
        var direct = await ResetMidBodyAsync(_direct);
        var yarp = await ResetMidBodyAsync(_yarp);

        Assert.StartsWith("HTTP/1.1 200 OK", direct);
        Assert.Contains("partial body: 10 of 100 bytes", direct);
        Assert.Equal(yarp, direct);
    }

    /// <summary>Upgrades stay on YARP's path: the direct gateway still relays them both ways.</summary>
    [Fact]
    public async Task Upgrade_is_relayed_both_ways()
    {
        var direct = await UpgradeAsync(_direct);
        var yarp = await UpgradeAsync(_yarp);

        Assert.Equal(yarp, direct);
        Assert.Equal("101|ping", direct);
    }

    [Fact]
    public async Task Connection_is_reused_and_a_stale_one_is_replaced()
    {
        foreach (var gateway in new[] { _direct, _yarp })
        {
            var client = gateway.Options.UpstreamClient;
            var connections = new List<int>();
            // Three answers on one upstream connection, the last of which the upstream closes after answering (so the pooled connection is stale)…
            foreach (var path in new[] { "/a", "/b", "/then-close", "/c" })
            {
                var (_, response, on) = await ExchangeOnAsync(gateway, $"GET {path} HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");
                Assert.True(response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), $"{client} {path}: {response}");
                connections.AddRange(on);
                if (path == "/then-close")
                {
                    Assert.True(await WaitUntilAsync(() => _backend.ClosedByServer.Contains(on.Single())), $"{client}: the backend did not close");
                }
            }
            // …and the next one on a new connection.
            Assert.Equal(4, connections.Count);
            Assert.Equal(connections[0], connections[1]);
            Assert.Equal(connections[0], connections[2]);
            Assert.NotEqual(connections[2], connections[3]);
        }
    }

    /// <summary>
    /// The race a pooled connection can lose: the upstream drops it as the next request arrives.
    /// The direct forwarder sends an idempotent request with no body once more on a fresh connection.
    /// </summary>
    [Fact]
    public async Task Request_without_body_the_upstream_dropped_unanswered_is_sent_again_on_a_fresh_connection()
    {
        var (_, _, first) = await ExchangeOnAsync(_direct, "GET /drop-second HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");
        var (_, response, then) = await ExchangeOnAsync(_direct, "GET /drop-second HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");

        Assert.StartsWith("HTTP/1.1 200", response);
        int[] connections = [.. first, .. then];
        // Sent on the reused connection (dropped there), then once more on a new one.
        Assert.Equal(3, connections.Length);
        Assert.Equal(connections[0], connections[1]);
        Assert.NotEqual(connections[1], connections[2]);
    }

    [Fact]
    public async Task Request_with_body_the_upstream_dropped_is_not_sent_again()
    {
        foreach (var gateway in new[] { _direct, _yarp })
        {
            const string post = "POST /drop-second HTTP/1.1\r\nHost: conformance.test\r\nContent-Length: 4\r\n\r\n";
            await ExchangeOnAsync(gateway, post, "body");
            var (_, response, then) = await ExchangeOnAsync(gateway, post, "body");

            Assert.True(response.StartsWith("HTTP/1.1 502", StringComparison.Ordinal), $"{gateway.Options.UpstreamClient}: {response}");
            Assert.Contains("upstream_reset", response);
            Assert.Single(then);
        }
    }

    [Fact]
    public async Task Idle_connection_is_closed_after_the_idle_timeout()
    {
        await using var gateway = await GatewayFixture.StartAsync(new GatewayOptions { UpstreamClient = UpstreamClient.Direct, UpstreamIdleTimeout = TimeSpan.FromMilliseconds(300) });
        await gateway.ApplyAsync(Config(_backend.Port));

        var (_, _, first) = await ExchangeOnAsync(gateway, "GET /first HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");
        // The backend sees the gateway close the idle connection (the timeout plus the pool's sweep period).
        Assert.True(await WaitUntilAsync(() => _backend.ClosedByClient.Contains(first.Single())), "the idle connection was kept open");

        var (_, response, second) = await ExchangeOnAsync(gateway, "GET /second HTTP/1.1\r\nHost: conformance.test\r\n\r\n", "");
        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.NotEqual(first.Single(), second.Single());
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    private List<(int Connection, RawHttpMessage Request)> Drain()
    {
        var drained = new List<(int, RawHttpMessage)>();
        while (_backend.Received.TryDequeue(out var item))
        {
            drained.Add(item);
        }
        return drained;
    }

    private async Task<(string Received, string Response)> ExchangeAsync(GatewayFixture gateway, string head, string body)
    {
        var (received, response, _) = await ExchangeOnAsync(gateway, head, body);
        return (received, response);
    }

    /// <summary>One request on a fresh client connection: what the backend received and what came back, rendered for comparison, and the backend connection of each received request.</summary>
    private async Task<(string Received, string Response, int[] Connections)> ExchangeOnAsync(GatewayFixture gateway, string head, string body)
    {
        Drain();
        using var client = await ConnectAsync(gateway);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head + body));
        var reader = new RawHttpReader(stream);
        var response = await reader.ReadAsync(isResponse: true, noBody: head.StartsWith("HEAD ", StringComparison.Ordinal));
        var received = Drain();
        return (string.Join("\n---\n", received.Select(r => RenderReceived(r.Request))), Render(response!), [.. received.Select(r => r.Connection)]);
    }

    private async Task<(string Received, string Response)> ExpectContinueAsync(GatewayFixture gateway, string head)
    {
        Drain();
        using var client = await ConnectAsync(gateway);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        var reader = new RawHttpReader(stream);
        var response = (await reader.ReadAsync(isResponse: true))!;
        var rendered = new StringBuilder();
        if (response.StartLine.Contains(" 100 "))
        {
            rendered.Append(response.StartLine).Append('\n');
            await stream.WriteAsync("body"u8.ToArray());
            response = (await reader.ReadAsync(isResponse: true))!;
        }
        return (string.Join("\n---\n", Drain().Select(r => RenderReceived(r.Request))), rendered.Append(Render(response)).ToString());
    }

    private async Task<string> ResetMidBodyAsync(GatewayFixture gateway)
    {
        using var client = await ConnectAsync(gateway);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /reset-mid-body HTTP/1.1\r\nHost: conformance.test\r\n\r\n"u8.ToArray());
        var reader = new RawHttpReader(stream);
        var head = (await reader.ReadHeadAsync())!;
        _backend.AllowReset();
        await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadBodyAsync(head, isResponse: true));
        return Render(head) + $"partial body: {reader.PartialBodyBytes} of {head.Header("Content-Length")} bytes";
    }

    private static async Task<string> UpgradeAsync(GatewayFixture gateway)
    {
        using var client = await ConnectAsync(gateway);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /upgrade HTTP/1.1\r\nHost: conformance.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"u8.ToArray());
        var reader = new RawHttpReader(stream);
        var head = (await reader.ReadHeadAsync())!;
        await stream.WriteAsync("ping\n"u8.ToArray());
        var echoed = await reader.ReadLineAsync();
        return $"{head.StartLine.Split(' ')[1]}|{echoed}";
    }

    private static async Task<TcpClient> ConnectAsync(GatewayFixture gateway)
    {
        var client = new TcpClient { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        await client.ConnectAsync("127.0.0.1", gateway.Options.HttpPort);
        return client;
    }

    /// <summary>As <see cref="Render"/>, with the headers in name order (see the class summary).</summary>
    private static string RenderReceived(RawHttpMessage message) =>
        Render(message with { Headers = [.. message.Headers.OrderBy(h => h.Name, StringComparer.OrdinalIgnoreCase)] });

    /// <summary>Start line, headers (Date left out: it differs by instant), framing, body, trailers.</summary>
    private static string Render(RawHttpMessage message)
    {
        var text = new StringBuilder(message.StartLine).Append('\n');
        foreach (var (name, value) in message.Headers)
        {
            if (!name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(name.ToLowerInvariant()).Append(": ").Append(value).Append('\n');
            }
        }
        text.Append($"[{message.Framing}]\n").Append(message.BodyText).Append('\n');
        foreach (var (name, value) in message.Trailers)
        {
            text.Append(name).Append(": ").Append(value).Append('\n');
        }
        return text.ToString();
    }
}
