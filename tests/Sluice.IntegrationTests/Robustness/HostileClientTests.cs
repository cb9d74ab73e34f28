using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Robustness;

/// <summary>
/// Clients that break the rules, against the built gateway process: each is refused with the
/// documented status (docs/limits.md) or cut off, and the gateway goes on serving (see <see cref="AttackedGateway"/>).
/// </summary>
[Collection(AttackedGatewayCollection.Name)]
public sealed class HostileClientTests(AttackedGateway gateway)
{
    private int Port => gateway.Process.HttpPort!.Value;

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public async Task A_huge_header_is_431(int bytes)
    {
        var head = $"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', bytes)}\r\n\r\n";
        Assert.Equal(431, await RawClient.StatusAsync(Port, head));
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task Ten_thousand_headers_are_431()
    {
        var head = "GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"X-H{i}: v\r\n")) + "\r\n";
        Assert.Equal(431, await RawClient.StatusAsync(Port, head));
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_100_KB_request_line_is_414()
    {
        var head = $"GET /{new string('a', 100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n";
        Assert.Equal(414, await RawClient.StatusAsync(Port, head));
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task Slowloris_connections_are_closed_after_the_headers_timeout_and_others_are_served_meanwhile()
    {
        // Fifty clients trickle one header byte a second; none finishes its head.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var trickles = Enumerable.Range(0, 50).Select(_ => RawClient.TrickleAsync(Port, stop.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await gateway.AssertServesWithinOneSecondAsync();

        var lifetimes = await Task.WhenAll(trickles);
        // Kestrel checks the timeout on its one-second heartbeat: allow that, plus a loaded machine.
        foreach (var lifetime in lifetimes)
        {
            Assert.InRange(lifetime, AttackedGateway.RequestHeadersTimeout - TimeSpan.FromSeconds(1), AttackedGateway.RequestHeadersTimeout + TimeSpan.FromSeconds(10));
        }
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_body_that_stops_midway_is_cut_by_the_minimum_data_rate()
    {
        using var socket = await RawClient.ConnectAsync(Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{new string('a', 1000)}"));
        // 240 bytes/s after a 5 s grace: the gateway answers or closes within seconds, not the route's 15 s.
        var started = DateTime.UtcNow;
        var answer = await RawClient.ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(20));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(14), $"the stalled body held the connection for {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        // Either nothing (the connection was cut) or a 4xx/5xx answer, never a 200 for half a body.
        Assert.DoesNotContain(" 200 ", answer, StringComparison.Ordinal);
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_midway_through_its_body_costs_nothing()
    {
        for (var i = 0; i < 20; i++)
        {
            using var socket = await RawClient.ConnectAsync(Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{new string('a', 5000)}"));
            ScriptedUpstream.Reset(socket);
        }
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task Invalid_chunked_encoding_is_a_400()
    {
        var request = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n0\r\n\r\n";
        Assert.Equal(400, await RawClient.StatusAsync(Port, request));
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task An_http2_rapid_reset_burst_is_absorbed()
    {
        gateway.Expect("exceeded the output operations maximum queue size",
            "Kestrel's rapid-reset defence: it aborts the attacking connection and logs that at critical level");
        for (var burst = 0; burst < 5; burst++)
        {
            await using var connection = await RawHttp2Connection.OpenCleartextAsync(gateway.Process.Http2Port!.Value);
            // Kestrel answers a flood of resets with GOAWAY (ENHANCE_YOUR_CALM) or absorbs it; either way the connection is the only casualty.
            await connection.RapidResetAsync("127.0.0.1", "/delay/100", streams: 2000);
        }
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_websocket_upgrade_the_upstream_refuses_gets_the_upstreams_answer()
    {
        using var socket = new ClientWebSocket();
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/refuses-upgrade"), CancellationToken.None));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        // And by hand, to see the status line itself.
        var upgrade = "GET /refuses-upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        Assert.Equal(403, await RawClient.StatusAsync(Port, upgrade));
        await gateway.AssertSurvivedAsync();
    }

    /// <summary>Bytes on a raw socket: what no well-behaved client library would send.</summary>
    private static class RawClient
    {
        public static async Task<Socket> ConnectAsync(int port)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return socket;
        }

        /// <summary>
        /// Sends <paramref name="request"/> while reading the answer's status. The gateway may answer
        /// and close before the whole request is written (that is the point), so a failed write is fine.
        /// </summary>
        public static async Task<int> StatusAsync(int port, string request)
        {
            using var socket = await ConnectAsync(port);
            var writing = Task.Run(async () =>
            {
                try
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes(request));
                }
                catch (SocketException)
                {
                }
            });
            var answer = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(15));
            await writing;
            Assert.StartsWith("HTTP/1.1 ", answer, StringComparison.Ordinal);
            return int.Parse(answer.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>What arrives until the gateway closes (or resets) the connection, or the timeout.</summary>
        public static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            var received = new StringBuilder();
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
                {
                    received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    if (IsComplete(received))
                    {
                        break;
                    }
                }
            }
            catch (SocketException) when (received.Length > 0 || !deadline.IsCancellationRequested)
            {
                // Reset after (or instead of) the answer: the gateway cut the connection.
            }
            return received.ToString();
        }

        /// <summary>One head-only answer read (the gateway's refusals have short bodies we need not wait for).</summary>
        private static bool IsComplete(StringBuilder received) => received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal);

        /// <summary>Opens a request head and sends one more header byte a second; returns how long the gateway kept the connection.</summary>
        public static async Task<TimeSpan> TrickleAsync(int port, CancellationToken cancellationToken)
        {
            using var socket = await ConnectAsync(port);
            var started = DateTime.UtcNow;
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray());
            var closed = ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(30));
            while (!closed.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await socket.SendAsync("a"u8.ToArray());
                }
                catch (SocketException)
                {
                    break;
                }
                await Task.WhenAny(closed, Task.Delay(1000, cancellationToken));
            }
            await closed;
            return DateTime.UtcNow - started;
        }
    }
}
