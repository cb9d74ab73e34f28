using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>HTTP/2 from clients (h2c prior knowledge on its own port) and WebSockets through.</summary>
public sealed class ProtocolTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { timeout: 1s }
            """);
    }

    [Fact]
    public async Task Http2_prior_knowledge_client_is_served()
    {
        using var client = new HttpClient
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.GetAsync($"http://127.0.0.1:{Gateway.Options.Http2Port}/h2?x=1");
        Assert.Equal(HttpVersion.Version20, response.Version);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/h2", echo.Path);
        Assert.Equal($"127.0.0.1:{Gateway.Options.Http2Port}", echo.Headers["host"]);
    }

    [Fact]
    public async Task WebSocket_over_http2_is_bridged_to_an_http1_backend()
    {
        // RFC 8441: the client opens the WebSocket with an extended CONNECT on an HTTP/2 stream;
        // the gateway speaks HTTP/1.1 Upgrade to the backend. RequestVersionExact makes an
        // HTTP/1.1 fallback impossible, so a connection means HTTP/2 was used.
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Gateway.Options.Http2Port}/ws"), invoker, CancellationToken.None);

        var buffer = new byte[1024];
        await socket.SendAsync(Encoding.UTF8.GetBytes("over h2"), WebSocketMessageType.Text, true, CancellationToken.None);
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("over h2", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task WebSocket_messages_pass_both_ways_and_outlive_the_route_timeout()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Gateway.Options.HttpPort}/ws"), CancellationToken.None);
        var buffer = new byte[1024];
        foreach (var message in new[] { "hello", "again" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(message, Encoding.UTF8.GetString(buffer, 0, received.Count));
            // Idle longer than the route's 1 s timeout: an upgraded connection is not cut by it.
            await Task.Delay(1300);
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }
}
