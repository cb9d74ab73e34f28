using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Sluice.Plan;
using Sluice.Security;

namespace Sluice.Plugins.Nats;

/// <summary>
/// One NATS.Net connection pinned to one server (the servers are the cluster's endpoints, so the
/// gateway's resilience loop picks among them). NATS.Net does the protocol, authentication (token,
/// user and password, NKey, JWT and creds), TLS, reconnection with backoff and the keepalive
/// pings that find a silently dead connection. This class adds what the gateway needs on top:
/// waiting for the connection within a request's deadline, a confirmed core publish, and telling
/// the gateway whether the server can be reached.
/// </summary>
internal sealed partial class NatsServerConnection : IAsyncDisposable
{
    /// <summary>The server default, used until the server's INFO says otherwise.</summary>
    private const long DefaultMaxPayload = 1024 * 1024;

    /// <summary>Payloads pass through as they are: no serializer touches them.</summary>
    private static readonly INatsSerialize<ReadOnlyMemory<byte>> Raw = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;

    /// <summary>
    /// One try, no wait: a no-responders answer (no stream stores the subject) is a 404 now, and
    /// the gateway's retry policy decides about trying again.
    /// </summary>
    private static readonly NatsJSPubOpts StreamPublish = new() { RetryAttempts = 1, RetryWaitBetweenAttempts = TimeSpan.Zero };

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _jetStream;
    private readonly NatsPublishDenials _denials = new();
    private readonly NatsLibraryLoggerFactory _libraryLogs;
    private readonly ILogger _logger;
    private readonly Action<bool>? _connectionChanged;
    private volatile IRuntimeFindings? _findings;
    private volatile bool _jetStreamExpected;
    private readonly string _url;
    private TaskCompletionSource _open = NewOpen();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _connecting;

    /// <param name="connectionChanged">
    /// Told true when the connection opens, false when it is lost or a reconnect fails: how the
    /// gateway knows which servers it can reach.
    /// </param>
    public NatsServerConnection(NatsClientOptions options, NatsServerAddress server, ILoggerFactory loggerFactory, Action<bool>? connectionChanged = null)
    {
        _logger = loggerFactory.CreateLogger<NatsServerConnection>();
        _connectionChanged = connectionChanged;
        var host = server.Host.Contains(':') ? $"[{server.Host}]" : server.Host;
        _url = $"{(server.Tls ? "tls" : "nats")}://{host}:{server.Port}";
        _libraryLogs = new NatsLibraryLoggerFactory(loggerFactory, _denials);
        _connection = new NatsConnection(new NatsOpts
        {
            Url = _url,
            Name = options.Name,
            AuthOpts = AuthOptions(options),
            TlsOpts = TlsOptions(options),
            ConnectTimeout = options.ConnectTimeout,
            // Keep reconnecting after refused credentials too: the server's configuration may be
            // fixed while the gateway runs.
            IgnoreAuthErrorAbort = true,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            ReconnectJitter = TimeSpan.FromMilliseconds(25),
            PingInterval = options.PingInterval,
            MaxPingOut = 2,
            // The request's deadline (op_timeout or the route's) bounds every operation: the
            // library's own request timeout must never answer first.
            RequestTimeout = TimeSpan.FromMinutes(10),
            // Header values are forwarded from HTTP as UTF-8, as before.
            HeaderEncoding = Encoding.UTF8,
            LoggerFactory = _libraryLogs,
        });
        _jetStream = new NatsJSContext(_connection);
        _connection.ConnectionOpened += OnOpenedAsync;
        _connection.ConnectionDisconnected += OnDisconnectedAsync;
        _connection.ReconnectFailed += OnReconnectFailedAsync;
    }

    /// <summary>The largest message (headers and payload) the server accepts.</summary>
    public long MaxPayload => _connection.ServerInfo is { MaxPayload: > 0 } info ? info.MaxPayload : DefaultMaxPayload;

    /// <summary>Whether the server said (in its INFO) that JetStream is enabled; null before the first connection.</summary>
    public bool? JetStreamAvailable => _connection.ServerInfo?.JetStreamAvailable;

    /// <summary>
    /// Whether the upstream publishes through JetStream, and where to say what the server lacks
    /// (the publisher using this connection says so, and says again when a reload makes a new one).
    /// Each time, and on every (re)connection, a server whose INFO says JetStream is off is a
    /// finding on the upstream's status, and one with it is not.
    /// </summary>
    public void ExpectJetStream(bool expected, IRuntimeFindings findings)
    {
        _jetStreamExpected = expected;
        _findings = findings;
        ReportJetStream();
    }

    private void ReportJetStream() =>
        _findings?.Set(this, _jetStreamExpected && JetStreamAvailable == false ? NatsPublishSpec.JetStreamUnavailableMessage : null);

    /// <summary>Starts connecting in the background (retrying until disposed); idempotent.</summary>
    public void Start()
    {
        lock (_stopping)
        {
            _connecting ??= Task.Run(ConnectUntilOpenAsync);
        }
    }

    /// <summary>
    /// The first connection, retried with backoff until it opens. NATS.Net's own retry of a first
    /// connection raises no event and keeps the reason to itself; here each failure says why
    /// (refused credentials, an untrusted certificate) and marks the server unreachable. Once
    /// open, NATS.Net's reconnect loop takes over.
    /// </summary>
    private async Task ConnectUntilOpenAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        string? lastReason = null;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _connection.ConnectAsync();
                return;
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested && e is NatsException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                _connectionChanged?.Invoke(false);
                // Said once per reason: a server that stays down for hours is one warning, not one every 2 s.
                var reason = Reason(_libraryLogs.TakeConnectFailure() ?? e);
                if (reason != lastReason)
                {
                    Log.ConnectFailed(_logger, _url, reason);
                    lastReason = reason;
                }
                else
                {
                    Log.ConnectStillFailing(_logger, _url, reason, (int)backoff.TotalMilliseconds);
                }
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 25)), _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    /// <summary>The exception's messages, outermost first: the library wraps the server's or the TLS stack's reason.</summary>
    private static string Reason(Exception e)
    {
        var reasons = new List<string>();
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            reasons.Add(inner.Message);
        }
        return string.Join(": ", reasons);
    }

    /// <summary>
    /// Publishes and returns once the server processed it: a PING sent behind the message and its
    /// PONG (a server handles a connection's commands in order). A server that refused the message
    /// has said so before that PONG (<see cref="NatsPublishDenials"/>):
    /// <see cref="NatsPublishDeniedException"/>. Waits for the connection until <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task PublishAsync(string subject, NatsHeaders? headers, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await WaitUntilOpenAsync(cancellationToken);
        var mark = _denials.Mark;
        await _connection.PublishAsync(subject, payload, headers, serializer: Raw, cancellationToken: cancellationToken);
        await _connection.PingAsync(cancellationToken);
        if (_denials.DeniedSince(mark, subject))
        {
            throw new NatsPublishDeniedException(subject);
        }
    }

    /// <summary>
    /// A JetStream publish: the stream's PubAck, or why there is none. A refused publish gets no
    /// reply at all, only the server's -ERR, so it ends when <paramref name="deadline"/> does and
    /// is then a <see cref="NatsPublishDeniedException"/>, not a timeout. A subject the server has
    /// refused before gets a PING behind it, as a core publish does, so a refusal is known at its
    /// PONG, at once. Only those subjects: measured here (4,000 publishes in a row to a memory
    /// stream, 8 alternating rounds), the PING costs every publish about 350 bytes and 15–20 µs
    /// (about 100 µs without it), a price for a misconfiguration that the happy path should not pay.
    /// </summary>
    public async Task<NatsResult<PubAckResponse>> PublishToStreamAsync(string subject, NatsHeaders? headers, ReadOnlyMemory<byte> payload, CancellationTokenSource deadline)
    {
        await WaitUntilOpenAsync(deadline.Token);
        var mark = _denials.Mark;
        if (!_denials.EverDenied(subject))
        {
            try
            {
                return await _jetStream.TryPublishAsync(subject, payload, Raw, StreamPublish, headers, deadline.Token);
            }
            catch (OperationCanceledException) when (_denials.DeniedSince(mark, subject))
            {
                throw new NatsPublishDeniedException(subject);
            }
        }
        return await PublishToStreamWithPingAsync(subject, headers, payload, deadline, mark);
    }

    /// <summary>
    /// The PING's PONG comes back while the stream is still storing (the PubAck is the slower
    /// answer), and a denial seen by then cancels the pending request through <paramref name="deadline"/>.
    /// Should the library write the message only after the PING, the denial is found when the
    /// deadline ends the wait: later, but the right answer.
    /// </summary>
    private async Task<NatsResult<PubAckResponse>> PublishToStreamWithPingAsync(string subject, NatsHeaders? headers, ReadOnlyMemory<byte> payload, CancellationTokenSource deadline, long mark)
    {
        var publish = _jetStream.TryPublishAsync(subject, payload, Raw, StreamPublish, headers, deadline.Token);
        try
        {
            await _connection.PingAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or NatsException)
        {
            // The publish's own wait reports the deadline or the lost connection below.
        }
        if (_denials.DeniedSince(mark, subject))
        {
            deadline.Cancel();
            await ObserveAsync(publish);
            throw new NatsPublishDeniedException(subject);
        }
        try
        {
            return await publish;
        }
        catch (OperationCanceledException) when (_denials.DeniedSince(mark, subject))
        {
            throw new NatsPublishDeniedException(subject);
        }
    }

    /// <summary>Waits for a publish whose answer no longer matters (its deadline was just cancelled).</summary>
    private static async ValueTask ObserveAsync(ValueTask<NatsResult<PubAckResponse>> publish)
    {
        try
        {
            await publish;
        }
        catch (Exception e) when (e is OperationCanceledException or NatsException)
        {
        }
    }

    /// <summary>Returns once connected; <see cref="NatsNotConnectedException"/> when not by <paramref name="cancellationToken"/>.</summary>
    public async Task WaitUntilOpenAsync(CancellationToken cancellationToken)
    {
        var open = Volatile.Read(ref _open).Task;
        if (open.IsCompleted && _connection.ConnectionState == NatsConnectionState.Open)
        {
            return;
        }
        Start();
        try
        {
            await open.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw new NatsNotConnectedException($"not connected to NATS server {_url}");
        }
    }

    private ValueTask OnOpenedAsync(object? sender, NatsEventArgs args)
    {
        _logger.LogInformation("Connected to NATS server {Url}", _url);
        Volatile.Read(ref _open).TrySetResult();
        _connectionChanged?.Invoke(true);
        ReportJetStream();
        return ValueTask.CompletedTask;
    }

    private ValueTask OnDisconnectedAsync(object? sender, NatsEventArgs args)
    {
        // New waiters wait for the next connection; the library reconnects.
        var open = Volatile.Read(ref _open);
        if (open.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _open, NewOpen(), open);
        }
        _connectionChanged?.Invoke(false);
        _logger.LogWarning("NATS connection to {Url} lost ({Reason}); reconnecting", _url, args.Message);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnReconnectFailedAsync(object? sender, NatsEventArgs args)
    {
        _connectionChanged?.Invoke(false);
        return ValueTask.CompletedTask;
    }

    private static NatsAuthOpts AuthOptions(NatsClientOptions options) => new()
    {
        Token = options.Token,
        Username = options.User,
        Password = options.Password,
        Seed = options.NKeySeed,
        NKey = options.NKeySeed is null ? null : options.NKeyPublic,
        Creds = options.Creds,
    };

    private static NatsTlsOpts TlsOptions(NatsClientOptions options)
    {
        var tls = new NatsTlsOpts { Mode = options.Tls ? TlsMode.Require : TlsMode.Auto };
        if (options.TlsServerName is null && options.TlsRootPem is null)
        {
            return tls;
        }
        return tls with
        {
            ConfigureClientAuthentication = authentication =>
            {
                if (options.TlsServerName is { } name)
                {
                    authentication.TargetHost = name;
                }
                if (options.TlsRootPem is { } rootPem)
                {
                    authentication.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrustedByPrivateRoot(certificate, errors, rootPem);
                }
                return ValueTask.CompletedTask;
            },
        };
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

    private static partial class Log
    {
        [LoggerMessage(EventId = NatsEventIds.ConnectFailed, Level = LogLevel.Warning, Message = "Cannot connect to NATS server {Url}: {Reason}; retrying with backoff (said again only when the reason changes)")]
        public static partial void ConnectFailed(ILogger logger, string url, string reason);

        [LoggerMessage(EventId = NatsEventIds.ConnectStillFailing, Level = LogLevel.Debug, Message = "Still cannot connect to NATS server {Url}: {Reason}; next try in {Delay} ms")]
        public static partial void ConnectStillFailing(ILogger logger, string url, string reason, int delay);
    }

    private static TaskCompletionSource NewOpen() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        _connection.ConnectionOpened -= OnOpenedAsync;
        _connection.ConnectionDisconnected -= OnDisconnectedAsync;
        _connection.ReconnectFailed -= OnReconnectFailedAsync;
        _stopping.Cancel();
        Volatile.Read(ref _open).TrySetCanceled();
        await _connection.DisposeAsync();
        _findings?.Set(this, null);
        if (_connecting is { } connecting)
        {
            await connecting.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
