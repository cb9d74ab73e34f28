using System.Net;
using System.Net.WebSockets;
using System.Text;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// The cluster every client is using is replaced under load (its endpoints and TLS settings, then
/// its load-balancing policy, then back) while eight clients mix HTTP/1.1 keep-alive, HTTP/2, an
/// open WebSocket and slow requests in flight. Nothing may fail. Requests are POSTs, so .NET's
/// automatic retry of idempotent requests on a dropped connection cannot hide a drop.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ReloadReplacingClusterTests(ITestOutputHelper output) : GatewayTest(output)
{
    private readonly TestCertificates _authority = new();
    private readonly List<TestBackend> _backends = [];
    private readonly List<string> _failures = [];
    private readonly int[] _served = new int[4];

    public override async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
        await base.DisposeAsync();
        _authority.Dispose();
    }

    [Fact]
    public async Task Replacing_the_cluster_in_use_fails_no_request_and_drops_no_connection()
    {
        var plain = new[] { await StartAsync(tls: false), await StartAsync(tls: false) };
        var secure = new[] { await StartAsync(tls: true), await StartAsync(tls: true) };
        Gateway.Store.SetFiles(new Dictionary<string, ReadOnlyMemory<byte>> { ["internal-ca"] = Encoding.UTF8.GetBytes(_authority.CaPem) });
        await Gateway.ApplyAsync(Config(plain, tls: false, ""));

        using var stop = new CancellationTokenSource();
        using var http1 = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{Gateway.Options.HttpPort}") };
        using var http2 = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Gateway.Options.Http2Port}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Gateway.Options.HttpPort}/ws"), CancellationToken.None);

        var clients = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(PostLoopAsync(http1, "/fast", 0, stop.Token));
        }
        for (var i = 0; i < 2; i++)
        {
            clients.Add(PostLoopAsync(http2, "/fast", 1, stop.Token));
        }
        for (var i = 0; i < 2; i++)
        {
            // 2 s answers: some are always in flight when the cluster is replaced.
            clients.Add(PostLoopAsync(http1, "/delay/2000", 2, stop.Token));
        }
        clients.Add(EchoLoopAsync(socket, stop.Token));

        await Task.Delay(1500);
        // Endpoints and TLS settings change: a new client and pool; requests in flight finish on the old.
        await Gateway.ApplyAsync(Config(secure, tls: true, ""));
        await Task.Delay(2500);
        // Load-balancing policy changes: the pool is kept.
        await Gateway.ApplyAsync(Config(secure, tls: true, "load_balancer: { policy: random }"));
        await Task.Delay(2500);
        // Back to the plain endpoints, with another policy.
        await Gateway.ApplyAsync(Config(plain, tls: false, "load_balancer: { policy: least_request }"));
        await Task.Delay(2500);

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        Assert.Empty(_failures);
        Assert.True(_served[0] > 50 && _served[1] > 50, $"too little fast traffic: HTTP/1.1 {_served[0]}, HTTP/2 {_served[1]}");
        Assert.True(_served[2] >= 8, $"only {_served[2]} slow requests completed");
        Assert.True(_served[3] > 20, $"only {_served[3]} WebSocket echoes");
        // Every phase was served by its own endpoints: the TLS ones took traffic too.
        Assert.All(secure, backend => Assert.True(backend.Requests > 0, "a TLS endpoint took no traffic"));
    }

    private async Task<TestBackend> StartAsync(bool tls)
    {
        var backend = await TestBackend.StartAsync(
            "pool",
            certificate: tls ? _authority.ServerCertificate("backend.internal") : null);
        _backends.Add(backend);
        return backend;
    }

    private static string Config(TestBackend[] backends, bool tls, string upstreamExtras) => $$"""
        name: pool
        type: static
        {{upstreamExtras}}
        spec:
          hosts: [{{string.Join(", ", backends.Select(b => $"{{ addr: 127.0.0.1, port: {b.Port} }}"))}}]
          {{(tls ? "tls: { sni: backend.internal, root_ca: internal-ca }" : "")}}
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: /fast }
          single_destination: { upstream: { name: pool } }
          prefix_rewrite: /
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: pool } }
        """;

    private async Task PostLoopAsync(HttpClient client, string path, int kind, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsync(path, new StringContent("payload"), CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{path} answered {(int)response.StatusCode} {response.Headers.GetValues("x-sluice-error").FirstOrDefault()}");
                }
                Interlocked.Increment(ref _served[kind]);
            }
            catch (Exception e)
            {
                Fail($"{path}: {e.GetType().Name} {e.Message}");
            }
        }
    }

    private async Task EchoLoopAsync(ClientWebSocket socket, CancellationToken stop)
    {
        var buffer = new byte[64];
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var message = Encoding.UTF8.GetBytes($"message {i}");
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (Encoding.UTF8.GetString(buffer, 0, received.Count) != $"message {i}")
                {
                    Fail($"WebSocket echoed '{Encoding.UTF8.GetString(buffer, 0, received.Count)}' for message {i}");
                    return;
                }
                Interlocked.Increment(ref _served[3]);
                await Task.Delay(50, CancellationToken.None);
            }
            catch (Exception e)
            {
                Fail($"WebSocket: {e.GetType().Name} {e.Message}");
                return;
            }
        }
    }

    private void Fail(string failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}
