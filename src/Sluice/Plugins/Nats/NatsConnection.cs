using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

using Sluice.Security;

namespace Sluice.Plugins.Nats;

/// <summary>
/// A small NATS client for publishing: one connection, kept up by a background loop that
/// reconnects with backoff. It speaks the core protocol (INFO, CONNECT, PUB/HPUB, PING/PONG,
/// +OK/-ERR, SUB and MSG/HMSG for one reply inbox) and nothing else. Written here because the
/// NATS.Net client cannot be restored in this build environment.
/// </summary>
/// <remarks>
/// Confirmation of a plain publish is a PING sent right behind it: the server handles a
/// connection's commands in order, so its PONG means the publish before it was processed, and an
/// <c>-ERR</c> arriving before that PONG belongs to the commands in between.
/// </remarks>
internal sealed class NatsConnection : IAsyncDisposable
{
    /// <summary>The server default, used until the first INFO says otherwise.</summary>
    private const long DefaultMaxPayload = 1024 * 1024;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly NatsClientOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _connectCommand;
    private readonly string _inboxPrefix;
    private readonly byte[] _inboxPrefixBytes;
    private TaskCompletionSource<Session> _ready = NewReady();
    private Task? _loop;
    private long _nextRequestId;
    private string _lastError = "not connected yet";

    private readonly Action<bool>? _connectionChanged;

    /// <param name="connectionChanged">
    /// Told true when a connection is made, false when one is lost or refused (again after each
    /// failed try): how the invoker above knows which servers it can reach. Called on the connect loop.
    /// </param>
    public NatsConnection(NatsClientOptions options, ILogger logger, Action<bool>? connectionChanged = null)
    {
        _options = options;
        _logger = logger;
        _connectionChanged = connectionChanged;
        _connectCommand = BuildConnectCommand(options);
        _inboxPrefix = "_INBOX." + Convert.ToHexString(RandomNumberGenerator.GetBytes(11)) + ".";
        _inboxPrefixBytes = Encoding.ASCII.GetBytes(_inboxPrefix);
    }

    /// <summary>The largest message (headers and payload) the current server accepts.</summary>
    public long MaxPayload { get; private set; } = DefaultMaxPayload;

    /// <summary>Starts connecting in the background; idempotent.</summary>
    public void Start()
    {
        lock (_stopping)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Publishes and returns once the server confirmed it (the PONG to a PING sent behind it).
    /// Waits for a connection when there is none, until <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task PublishAsync(ReadOnlyMemory<byte> subject, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = await WaitForSessionAsync(cancellationToken);
            var pong = await session.SendAsync(subject, default, headers, payload, withPing: true, cancellationToken);
            if (pong is not null)
            {
                await pong.Task.WaitAsync(cancellationToken);
                return;
            }
        }
    }

    /// <summary>Publishes with a reply subject of this connection's inbox and waits for the reply.</summary>
    public async Task<NatsReply> RequestAsync(ReadOnlyMemory<byte> subject, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var replyTo = new byte[_inboxPrefixBytes.Length + 20];
        _inboxPrefixBytes.CopyTo(replyTo, 0);
        while (true)
        {
            var session = await WaitForSessionAsync(cancellationToken);
            var id = Interlocked.Increment(ref _nextRequestId);
            var reply = new TaskCompletionSource<NatsReply>(TaskCreationOptions.RunContinuationsAsynchronously);
            session.Requests[id] = reply;
            try
            {
                Utf8Formatter.TryFormat(id, replyTo.AsSpan(_inboxPrefixBytes.Length), out var written);
                var sent = await session.SendAsync(subject, replyTo.AsMemory(0, _inboxPrefixBytes.Length + written), headers, payload, withPing: false, cancellationToken);
                if (sent is not null)
                {
                    return await reply.Task.WaitAsync(cancellationToken);
                }
            }
            finally
            {
                session.Requests.TryRemove(id, out _);
            }
        }
    }

    private async Task<Session> WaitForSessionAsync(CancellationToken cancellationToken)
    {
        var ready = Volatile.Read(ref _ready).Task;
        if (ready.IsCompletedSuccessfully)
        {
            return ready.Result;
        }
        Start();
        try
        {
            return await ready.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            throw new NatsNotConnectedException($"not connected to NATS: {_lastError}");
        }
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        var next = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var server = _options.Servers[next++ % _options.Servers.Count];
            Session? session = null;
            try
            {
                session = await ConnectAsync(server, _stopping.Token);
                backoff = TimeSpan.FromMilliseconds(50);
                _logger.LogInformation("Connected to NATS server {Host}:{Port}", server.Host, server.Port);
                Volatile.Read(ref _ready).TrySetResult(session);
                _connectionChanged?.Invoke(true);
                // Until the connection ends, or the gateway stops using it.
                await session.Completion.WaitAsync(_stopping.Token);
                _lastError = session.CloseReason ?? "the connection closed";
            }
            catch (Exception e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }
                _lastError = $"{server.Host}:{server.Port}: {e.Message}";
            }
            finally
            {
                if (session is not null)
                {
                    Retire(session);
                    await session.DisposeAsync();
                }
            }
            if (_stopping.IsCancellationRequested)
            {
                break;
            }
            _connectionChanged?.Invoke(false);
            _logger.LogWarning("NATS connection lost or refused ({Reason}); retrying in {Delay} ms", _lastError, (int)backoff.TotalMilliseconds);
            try
            {
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 25)), _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<Session> ConnectAsync(NatsServerAddress server, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        try
        {
            var info = ParseInfo(await ReadFirstLineAsync(stream, timeout.Token));
            if (info.MaxPayload > 0)
            {
                MaxPayload = info.MaxPayload;
            }
            if (server.Tls || _options.Tls || info.TlsRequired)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                var authentication = new SslClientAuthenticationOptions { TargetHost = _options.TlsServerName ?? server.Host };
                if (_options.TlsRootPem is { } rootPem)
                {
                    authentication.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                        IsTrustedByPrivateRoot(certificate, errors, rootPem);
                }
                await tls.AuthenticateAsClientAsync(authentication, timeout.Token);
                stream = tls;
            }
            var session = new Session(this, stream);
            var handshake = session.StartHandshake(_connectCommand, _inboxPrefix);
            await handshake.WaitAsync(timeout.Token);
            return session;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A chain that ends in one of the given roots; the name must still match (only chain errors
    /// are forgiven, and only when the private root vouches for the certificate).
    /// </summary>
    private static bool IsTrustedByPrivateRoot(X509Certificate? certificate, SslPolicyErrors errors, string rootPem)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(rootPem);
        return CustomTrust.ChainsTo(roots, certificate, presented: null);
    }

    /// <summary>
    /// Reads the server's INFO line byte by byte: nothing else may be consumed from the socket
    /// before a possible TLS upgrade.
    /// </summary>
    private static async Task<string> ReadFirstLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>(512);
        var one = new byte[1];
        while (line.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new NatsException("the server closed the connection before INFO");
            }
            if (one[0] == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                return Encoding.UTF8.GetString(line.ToArray(), 0, line.Count - 1);
            }
            line.Add(one[0]);
        }
        throw new NatsException("the server's INFO line is too long");
    }

    private static ServerInfo ParseInfo(string line)
    {
        if (!line.StartsWith("INFO ", StringComparison.OrdinalIgnoreCase))
        {
            throw new NatsException($"expected INFO from the server, got '{Truncate(line)}'");
        }
        try
        {
            using var json = JsonDocument.Parse(line.AsMemory(5));
            var root = json.RootElement;
            var maxPayload = root.TryGetProperty("max_payload", out var mp) && mp.TryGetInt64(out var value) ? value : 0;
            var tls = root.TryGetProperty("tls_required", out var t) && t.ValueKind == JsonValueKind.True;
            var headers = !root.TryGetProperty("headers", out var h) || h.ValueKind == JsonValueKind.True;
            if (!headers)
            {
                throw new NatsException("the server does not support headers (NATS 2.2 or later is required)");
            }
            return new ServerInfo(maxPayload, tls);
        }
        catch (JsonException e)
        {
            throw new NatsException($"the server's INFO is not JSON: {e.Message}");
        }
    }

    private static byte[] BuildConnectCommand(NatsClientOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("CONNECT "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("verbose", false);
            json.WriteBoolean("pedantic", false);
            json.WriteBoolean("tls_required", options.Tls);
            json.WriteString("name", options.Name);
            json.WriteString("lang", ".NET (sluice)");
            json.WriteString("version", "1.0");
            json.WriteNumber("protocol", 1);
            json.WriteBoolean("headers", true);
            // Requests nobody listens to get a 503 status reply at once, instead of a timeout.
            json.WriteBoolean("no_responders", true);
            if (options.Token is { } token)
            {
                json.WriteString("auth_token", token);
            }
            if (options.User is { } user)
            {
                json.WriteString("user", user);
                json.WriteString("pass", options.Password ?? "");
            }
            json.WriteEndObject();
        }
        buffer.Write("\r\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>New waiters queue for the next session; a retired one's pending work fails.</summary>
    private void Retire(Session session)
    {
        var ready = Volatile.Read(ref _ready);
        if (ready.Task.IsCompletedSuccessfully && ready.Task.Result == session)
        {
            Interlocked.CompareExchange(ref _ready, NewReady(), ready);
        }
    }

    private static TaskCompletionSource<Session> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        Volatile.Read(ref _ready).TrySetCanceled();
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    private readonly record struct ServerInfo(long MaxPayload, bool TlsRequired);

    /// <summary>
    /// One live connection: the writer (commands serialized by a lock), the reader loop, the
    /// PONG waiters in send order and the requests waiting for replies. Everything pending fails
    /// when it ends.
    /// </summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly NatsConnection _owner;
        private readonly Stream _stream;
        private readonly PipeWriter _writer;
        private readonly PipeReader _reader;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly ConcurrentQueue<TaskCompletionSource> _pongs = new();
        private readonly CancellationTokenSource _closed = new();
        private string? _errorBeforePong;
        private Task _readLoop = Task.CompletedTask;

        public Session(NatsConnection owner, Stream stream)
        {
            _owner = owner;
            _stream = stream;
            _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        }

        public ConcurrentDictionary<long, TaskCompletionSource<NatsReply>> Requests { get; } = new();

        /// <summary>Ends when the connection does.</summary>
        public Task Completion => _readLoop;

        public string? CloseReason { get; private set; }

        /// <summary>Sends CONNECT, the inbox subscription and a PING; the PONG completes the handshake.</summary>
        public Task StartHandshake(byte[] connect, string inboxPrefix)
        {
            var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pongs.Enqueue(pong);
            _writer.Write(connect);
            _writer.Write(Encoding.ASCII.GetBytes($"SUB {inboxPrefix}* 1\r\nPING\r\n"));
            _readLoop = Task.Run(ReadLoopAsync);
            return FlushThenAsync(pong.Task);
        }

        private async Task FlushThenAsync(Task pong)
        {
            await _writer.FlushAsync(_closed.Token);
            await pong;
        }

        /// <summary>
        /// Writes PUB or HPUB (and a PING after it when asked); returns the PONG waiter, or null
        /// when the connection had closed before anything was written (safe to send again).
        /// </summary>
        public async ValueTask<TaskCompletionSource?> SendAsync(
            ReadOnlyMemory<byte> subject, ReadOnlyMemory<byte> replyTo, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload,
            bool withPing, CancellationToken cancellationToken)
        {
            TaskCompletionSource? pong = null;
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                if (_closed.IsCancellationRequested)
                {
                    return null;
                }
                WriteControlLine(subject.Span, replyTo.Span, headers.Length, payload.Length);
                if (headers.Length > 0)
                {
                    _writer.Write(headers.Span);
                }
                _writer.Write(payload.Span);
                _writer.Write("\r\n"u8);
                if (withPing)
                {
                    pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _pongs.Enqueue(pong);
                    _writer.Write("PING\r\n"u8);
                }
                var flush = await _writer.FlushAsync(_closed.Token);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    throw new NatsException($"the connection closed: {CloseReason}");
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException && _closed.IsCancellationRequested)
            {
                throw new NatsException($"the connection closed while sending: {CloseReason ?? e.Message}");
            }
            finally
            {
                _writeLock.Release();
            }
            return pong ?? CompletedPong;
        }

        private static readonly TaskCompletionSource CompletedPong = CreateCompleted();

        private static TaskCompletionSource CreateCompleted()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }

        private void WriteControlLine(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> replyTo, int headerLength, int payloadLength)
        {
            // "HPUB <subject> [reply] <header bytes> <total bytes>\r\n" at most.
            var span = _writer.GetSpan(subject.Length + replyTo.Length + 48);
            var at = 0;
            (headerLength > 0 ? "HPUB "u8 : "PUB "u8).CopyTo(span);
            at += headerLength > 0 ? 5 : 4;
            subject.CopyTo(span[at..]);
            at += subject.Length;
            span[at++] = (byte)' ';
            if (replyTo.Length > 0)
            {
                replyTo.CopyTo(span[at..]);
                at += replyTo.Length;
                span[at++] = (byte)' ';
            }
            if (headerLength > 0)
            {
                Utf8Formatter.TryFormat(headerLength, span[at..], out var w);
                at += w;
                span[at++] = (byte)' ';
            }
            Utf8Formatter.TryFormat(headerLength + payloadLength, span[at..], out var written);
            at += written;
            span[at++] = (byte)'\r';
            span[at++] = (byte)'\n';
            _writer.Advance(at);
        }

        private async Task ReadLoopAsync()
        {
            try
            {
                while (true)
                {
                    var result = await _reader.ReadAsync(_closed.Token);
                    var buffer = result.Buffer;
                    while (TryReadCommand(ref buffer, out var pong))
                    {
                        if (pong)
                        {
                            await WritePongAsync();
                        }
                    }
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        CloseReason ??= "the server closed the connection";
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                CloseReason ??= e.Message;
            }
            finally
            {
                Close();
            }
        }

        /// <summary>Parses one command; <paramref name="serverPing"/> when the server wants a PONG.</summary>
        private bool TryReadCommand(ref ReadOnlySequence<byte> buffer, out bool serverPing)
        {
            serverPing = false;
            var reader = new SequenceReader<byte>(buffer);
            if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSequence, "\r\n"u8))
            {
                if (buffer.Length > 64 * 1024)
                {
                    throw new NatsException("protocol line too long");
                }
                return false;
            }
            Span<byte> lineBuffer = stackalloc byte[lineSequence.Length <= 512 ? (int)lineSequence.Length : 0];
            ReadOnlySpan<byte> line = lineSequence.IsSingleSegment ? lineSequence.FirstSpan
                : lineSequence.Length <= 512 ? CopyTo(lineSequence, lineBuffer) : lineSequence.ToArray();

            if (StartsWith(line, "MSG "u8) || StartsWith(line, "HMSG "u8))
            {
                var hasHeaders = line[0] is (byte)'H' or (byte)'h';
                if (!TryParseMessageLine(line, hasHeaders, out var sid, out var headerLength, out var totalLength))
                {
                    throw new NatsException($"malformed message line '{Encoding.ASCII.GetString(line)}'");
                }
                if (reader.Remaining < totalLength + 2)
                {
                    return false;
                }
                var body = reader.UnreadSequence.Slice(0, totalLength);
                reader.Advance(totalLength + 2);
                Deliver(sid, body, headerLength);
            }
            else if (StartsWith(line, "PING"u8))
            {
                serverPing = true;
            }
            else if (StartsWith(line, "PONG"u8))
            {
                if (_pongs.TryDequeue(out var pong))
                {
                    var error = Interlocked.Exchange(ref _errorBeforePong, null);
                    if (error is null)
                    {
                        pong.TrySetResult();
                    }
                    else
                    {
                        pong.TrySetException(new NatsException($"the server refused: {error}"));
                    }
                }
            }
            else if (StartsWith(line, "-ERR"u8))
            {
                var error = Encoding.UTF8.GetString(line[4..]).Trim().Trim('\'');
                _errorBeforePong = error;
                CloseReason = error;
            }
            else if (StartsWith(line, "INFO "u8))
            {
                var info = ParseInfo(Encoding.UTF8.GetString(line));
                if (info.MaxPayload > 0)
                {
                    _owner.MaxPayload = info.MaxPayload;
                }
            }
            // +OK and anything unknown: nothing to do.
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        /// <summary>
        /// <c>MSG subject sid [reply] size</c> / <c>HMSG subject sid [reply] hsize size</c>. The subject is
        /// our inbox: its last token is the request id.
        /// </summary>
        private bool TryParseMessageLine(ReadOnlySpan<byte> line, bool hasHeaders, out long requestId, out int headerLength, out int totalLength)
        {
            requestId = 0;
            headerLength = 0;
            totalLength = 0;
            Span<Range> parts = stackalloc Range[7];
            var count = 0;
            var start = -1;
            for (var i = 0; i <= line.Length && count < parts.Length; i++)
            {
                if (i == line.Length || line[i] == (byte)' ')
                {
                    if (start >= 0)
                    {
                        parts[count++] = new Range(start, i);
                        start = -1;
                    }
                }
                else if (start < 0)
                {
                    start = i;
                }
            }
            var expected = hasHeaders ? 5 : 4;
            if (count != expected && count != expected + 1)
            {
                return false;
            }
            if (!Utf8Parser.TryParse(line[parts[count - 1]], out totalLength, out _))
            {
                return false;
            }
            if (hasHeaders && !Utf8Parser.TryParse(line[parts[count - 2]], out headerLength, out _))
            {
                return false;
            }
            var subject = line[parts[1]];
            var prefix = _owner._inboxPrefixBytes;
            if (subject.StartsWith(prefix))
            {
                Utf8Parser.TryParse(subject[prefix.Length..], out requestId, out _);
            }
            return true;
        }

        private void Deliver(long requestId, ReadOnlySequence<byte> message, int headerLength)
        {
            if (!Requests.TryGetValue(requestId, out var waiter))
            {
                return;
            }
            var status = 0;
            if (headerLength > 0)
            {
                // "NATS/1.0 503\r\n…": a status code after the version, if any.
                var header = message.Slice(0, headerLength).ToArray().AsSpan();
                var end = header.IndexOf("\r\n"u8);
                var first = end < 0 ? header : header[..end];
                if (first.Length >= 12 && StartsWith(first, "NATS/1.0 "u8))
                {
                    Utf8Parser.TryParse(first[9..], out status, out _);
                }
            }
            waiter.TrySetResult(new NatsReply(status, message.Slice(headerLength).ToArray()));
        }

        private async ValueTask WritePongAsync()
        {
            await _writeLock.WaitAsync(_closed.Token);
            try
            {
                _writer.Write("PONG\r\n"u8);
                await _writer.FlushAsync(_closed.Token);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private void Close()
        {
            _closed.Cancel();
            _owner.Retire(this);
            var error = new NatsException($"the connection closed: {CloseReason}");
            while (_pongs.TryDequeue(out var pong))
            {
                pong.TrySetException(error);
            }
            foreach (var request in Requests.Values)
            {
                request.TrySetException(error);
            }
            _stream.Dispose();
        }

        private static bool StartsWith(ReadOnlySpan<byte> line, ReadOnlySpan<byte> command) =>
            line.Length >= command.Length && Ascii.EqualsIgnoreCase(line[..command.Length], command);

        private static ReadOnlySpan<byte> CopyTo(ReadOnlySequence<byte> sequence, Span<byte> target)
        {
            sequence.CopyTo(target);
            return target;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_closed.IsCancellationRequested)
            {
                CloseReason ??= "closed by the gateway";
                _closed.Cancel();
            }
            try
            {
                await _readLoop;
            }
            catch (Exception)
            {
                // Already recorded in CloseReason.
            }
            await _stream.DisposeAsync();
        }
    }
}
