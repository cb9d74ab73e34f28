using System.Net;
using System.Net.Sockets;

namespace Sluice.Gateway.Forwarding;

/// <summary>
/// The connections to one endpoint: idle ones newest first (a recently used connection is the
/// least likely to have been closed by the upstream's own idle timeout), closed once idle longer
/// than the idle timeout, when met and by a periodic sweep; one the upstream closed meanwhile is
/// seen before use. Opens new ones on demand.
/// </summary>
internal sealed class UpstreamPool : IDisposable
{
    // A plain stack under a lock: no allocation per rent or return (ConcurrentStack allocates a node per push).
    private readonly Stack<UpstreamConnection> _idle = new();
    private readonly EndPoint _address;
    private readonly long _idleMilliseconds;
    private readonly Timer _sweep;
    private bool _closed;

    public UpstreamPool(string host, int port, TimeSpan idleTimeout)
    {
        _address = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
        _idleMilliseconds = (long)idleTimeout.TotalMilliseconds;
        var period = idleTimeout / 4;
        _sweep = new Timer(static pool => ((UpstreamPool)pool!).CloseExpired(), this, period, period);
    }

    /// <summary>An idle connection that still looks usable, or null when a new one must be opened.</summary>
    public UpstreamConnection? RentIdle()
    {
        var now = Environment.TickCount64;
        while (true)
        {
            UpstreamConnection? connection;
            lock (_idle)
            {
                if (!_idle.TryPop(out connection))
                {
                    return null;
                }
            }
            if (now - connection.IdleSince < _idleMilliseconds && !connection.LooksClosed())
            {
                return connection;
            }
            connection.Dispose();
        }
    }

    /// <summary>Ends an exchange: the connection goes back to the pool, or is closed when it cannot carry another.</summary>
    public void Release(UpstreamConnection connection, bool reusable)
    {
        if (!reusable || connection.IsDisposed || !connection.Disarm())
        {
            connection.Dispose();
            return;
        }
        connection.ResponseStarted = false;
        connection.IsReused = true;
        connection.IdleSince = Environment.TickCount64;
        lock (_idle)
        {
            if (!_closed)
            {
                _idle.Push(connection);
                return;
            }
        }
        connection.Dispose();
    }

    /// <summary>Opens a connection within <paramref name="timeout"/>; a failure is a <see cref="ForwardingException"/> of <see cref="ForwardingFailure.Connect"/>.</summary>
    public async ValueTask<UpstreamConnection> ConnectAsync(TimeSpan timeout, CancellationToken aborted)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(_address, deadline.Token);
            return new UpstreamConnection(socket);
        }
        catch (Exception e)
        {
            socket.Dispose();
            if (aborted.IsCancellationRequested)
            {
                throw new ForwardingException(ForwardingFailure.ClientGone, "the client went away while connecting", e);
            }
            var reason = e is OperationCanceledException ? $"no connection within {timeout.TotalSeconds:0.###} s" : e.Message;
            throw new ForwardingException(ForwardingFailure.Connect, $"could not connect to {_address}: {reason}", e);
        }
    }

    /// <summary>Closes connections idle past the timeout (the oldest sit at the bottom of the stack).</summary>
    private void CloseExpired()
    {
        var now = Environment.TickCount64;
        List<UpstreamConnection>? expired = null;
        lock (_idle)
        {
            if (_idle.Count == 0)
            {
                return;
            }
            var kept = _idle.ToArray();
            _idle.Clear();
            for (var i = kept.Length - 1; i >= 0; i--)
            {
                if (now - kept[i].IdleSince < _idleMilliseconds)
                {
                    _idle.Push(kept[i]);
                }
                else
                {
                    (expired ??= []).Add(kept[i]);
                }
            }
        }
        expired?.ForEach(c => c.Dispose());
    }

    /// <summary>Closes the idle connections and stops the sweep; connections in use are closed when their exchange ends.</summary>
    public void Dispose()
    {
        _sweep.Dispose();
        lock (_idle)
        {
            _closed = true;
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
    }
}
