using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// An upstream on a raw loopback socket that reads each request's head and then does exactly what
/// its script says: bytes no HTTP server library would write (an invalid status line, 10,000
/// headers, a body cut by a reset, a response that never ends). Each connection serves one request.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Socket, Task> _script;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly List<Socket> _open = [];

    private ScriptedUpstream(Func<Socket, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Runs <paramref name="script"/> on each connection once the request head has arrived.</summary>
    public static ScriptedUpstream Start(Func<Socket, Task> script) => new(script);

    /// <summary>Writes <paramref name="head"/> and then keeps the connection open and silent until disposed.</summary>
    public static ScriptedUpstream Answering(string head) => Start(async socket => await socket.SendAsync(Encoding.ASCII.GetBytes(head)));

    /// <summary>Closes with a TCP reset (SO_LINGER 0) instead of a FIN: what a crashed upstream does.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_open)
            {
                _open.Add(socket);
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await ReadHeadAsync(socket);
            await _script(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // The gateway gave up on this connection first: that is its job.
        }
    }

    private async Task ReadHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (!EndsHead(head))
        {
            var read = await socket.ReceiveAsync(buffer, _stopping.Token);
            if (read == 0)
            {
                throw new IOException("the gateway closed before sending a request");
            }
            head.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static bool EndsHead(List<byte> head) => CollectionsMarshal.AsSpan(head).IndexOf("\r\n\r\n"u8) >= 0;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_open)
        {
            foreach (var socket in _open)
            {
                socket.Dispose();
            }
        }
        _stopping.Dispose();
    }
}
