using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 upstream on a raw loopback socket that records every request as it arrived on the
/// wire (with the connection it came on) and answers with bytes chosen by path, including what
/// a well-behaved server library would not send: bodies ended by close, resets in the middle of a
/// body, interim responses, trailers, a connection dropped instead of answered.
/// </summary>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _connections;

    public ScriptedBackend()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Requests in arrival order, each with the number of the connection it came on (from 1).</summary>
    public ConcurrentQueue<(int Connection, RawHttpMessage Request)> Received { get; } = new();

    /// <summary>Connections (by number) the client closed.</summary>
    public ConcurrentBag<int> ClosedByClient { get; } = [];

    /// <summary>Lets a <c>/reset-mid-body</c> answer reset its connection (once the test has read what came before).</summary>
    public void AllowReset() => _resetAllowed.Release();

    private readonly SemaphoreSlim _resetAllowed = new(0);

    /// <summary>Connections (by number) the backend closed on purpose.</summary>
    public ConcurrentBag<int> ClosedByServer { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _sockets.Add(socket);
            _ = ServeAsync(socket, Interlocked.Increment(ref _connections));
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new RawHttpReader(stream);
        string? previous = null;
        try
        {
            while (true)
            {
                var head = await ReadRequestAsync(reader, stream);
                if (head is null)
                {
                    ClosedByClient.Add(connection);
                    return;
                }
                Received.Enqueue((connection, head));
                var path = head.StartLine.Split(' ')[1];
                if (!await AnswerAsync(socket, stream, head, path, previous))
                {
                    ClosedByServer.Add(connection);
                    return;
                }
                previous = path;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // A client that went away mid-exchange: nothing to record.
        }
    }

    /// <summary>Reads a request; <c>Expect: 100-continue</c> is answered (or refused) before its body is read.</summary>
    private static async Task<RawHttpMessage?> ReadRequestAsync(RawHttpReader reader, NetworkStream stream)
    {
        if (await reader.ReadHeadAsync() is not { } head)
        {
            return null;
        }
        if (head.Header("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            if (head.StartLine.Contains("/expect-refused"))
            {
                return head;
            }
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
        }
        return await reader.ReadBodyAsync(head, isResponse: false);
    }

    private async Task<bool> AnswerAsync(Socket socket, NetworkStream stream, RawHttpMessage request, string path, string? previous)
    {
        var isHead = request.StartLine.StartsWith("HEAD ", StringComparison.Ordinal);
        async Task Send(string text) => await stream.WriteAsync(Encoding.Latin1.GetBytes(text));
        switch (path.Split('?')[0])
        {
            case "/chunked":
                await Send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
                return true;
            case "/trailers":
                await Send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n4\r\ndata\r\n0\r\nX-Checksum: abc123\r\n\r\n");
                return true;
            case "/chunked-and-length":
                await Send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                return true;
            case "/close-delimited":
                await Send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body ends when the connection does");
                socket.Shutdown(SocketShutdown.Send);
                return false;
            case "/no-content":
                await Send("HTTP/1.1 204 No Content\r\nX-Backend: yes\r\n\r\n");
                return true;
            case "/not-modified":
                await Send("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: max-age=60\r\n\r\n");
                return true;
            case "/head":
                await Send(isHead ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");
                return true;
            case "/large-headers":
                var big = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
                for (var i = 0; i < 32; i++)
                {
                    big.Append($"X-Large-{i}: {new string((char)('a' + i % 26), 1000)}\r\n");
                }
                await Send(big.Append("\r\nok").ToString());
                return true;
            case "/head-over-64k":
                // Sent in one write, so the whole head can arrive in one read.
                await Send("HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 4_000).Select(i => $"X-Header-{i}: value\r\n")) + "Content-Length: 0\r\n\r\n");
                return true;
            case "/reset-mid-body":
                await Send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly ten b");
                // A reset discards what the peer has not read yet: it waits until the client has the partial answer.
                await _resetAllowed.WaitAsync(TimeSpan.FromSeconds(10));
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return false;
            case "/then-close":
                // Closed after a complete answer, without saying so: the pooled connection goes stale.
                await Send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                await Task.Delay(20);
                socket.Shutdown(SocketShutdown.Both);
                return false;
            case "/drop-second" when previous == "/drop-second":
                // The race a pooled connection can lose: the upstream closes it as the next request arrives (the second in a row on one connection).
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return false;
            case "/expect-refused":
                await Send("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo long");
                socket.Shutdown(SocketShutdown.Send);
                return false;
            case "/bad-status":
                await Send("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok");
                return false;
            case "/bad-length":
                await Send("HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok");
                return false;
            case "/reason":
                await Send("HTTP/1.1 200 Fine Thanks\r\nContent-Length: 2\r\n\r\nok");
                return true;
            case "/interim":
                await Send("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                return true;
            case "/upgrade" when request.Header("Upgrade") is not null:
                await Send("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
                var buffer = new byte[1024];
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, n));
                }
                return false;
            default:
                // Echo what arrived: the body back, with its length.
                var echo = request.Body;
                await Send($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Backend: yes\r\nContent-Length: {echo.Length}\r\n\r\n");
                await stream.WriteAsync(echo);
                return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        await _accepting;
    }
}
