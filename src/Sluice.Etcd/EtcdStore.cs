using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Storage;
using Status = Sluice.Api.Status;

namespace Sluice.Etcd;

/// <summary>
/// Configuration in etcd, shared by any number of gateways and controllers (layout: <see cref="EtcdKeys"/>).
/// </summary>
/// <remarks>
/// <para><c>resource_version</c> is the object key's mod revision. Updates, deletes and status
/// writes are transactions that compare it, so nothing lands on a version its writer did not see.</para>
/// <para>A watch lists the prefix once, then follows it from the next revision. When the stream
/// breaks it resumes from the last revision it applied, so no change is missed; when that
/// revision has been compacted away it lists again. Meanwhile the last snapshot keeps serving.</para>
/// </remarks>
public sealed partial class EtcdStore : IConfigStore, IStoreHealth, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(2);

    private readonly EtcdOptions _options;
    private readonly EtcdClient _client;
    private readonly ILogger _logger;
    private volatile StoreHealth _health;

    public EtcdStore(EtcdOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Keys = new EtcdKeys(options.NormalizedPrefix);
        _client = EtcdClientFactory.Create(options);
        _logger = logger ?? NullLogger.Instance;
        _health = new StoreHealth(options.Describe(), true, "not contacted yet", DateTimeOffset.UtcNow);
    }

    public StoreHealth Health => _health;

    internal EtcdKeys Keys { get; }

    internal EtcdOptions Options => _options;

    internal dotnet_etcd.interfaces.IConnection Connection => _client.GetConnection();

    /// <summary>
    /// Set by the leader election while this process leads: status writes then also require the
    /// leader key to be the one this process created, so a deposed leader's late write fails.
    /// </summary>
    internal LeaderFence? Fence { get; set; }

    /// <summary>
    /// Set when this process campaigns (a controller): then every write a controller makes
    /// (statuses, discovered records) needs <see cref="Fence"/>, so a standby writes nothing.
    /// Clients that do not campaign (the CLI, a gateway) write unfenced.
    /// </summary>
    internal bool LeadersOnly { get; set; }

    public async Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var view = new EtcdView(Keys);
        await ListAsync(view, cancellationToken).ConfigureAwait(false);
        return view.Build();
    }

    public async IAsyncEnumerable<ConfigSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var view = new EtcdView(Keys);
        // Unreachable now: this throws, and the caller retries (a gateway waits for its first config).
        await ListAsync(view, cancellationToken).ConfigureAwait(false);
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var follow = FollowAsync(view, changed.Writer, stop.Token);
        try
        {
            ConfigSnapshot snapshot;
            lock (view)
            {
                snapshot = view.Build();
            }
            yield return snapshot;
            while (await changed.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Coalesce a burst (an apply of many objects) into one snapshot.
                await Task.Delay(_options.Debounce, cancellationToken).ConfigureAwait(false);
                changed.Reader.TryRead(out _);
                lock (view)
                {
                    snapshot = view.Build();
                }
                yield return snapshot;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await follow.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async Task<IConfigObject> CreateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var (value, written) = Render(obj);
        var key = Keys.Object(obj.Kind, obj.Name);
        var request = new TxnRequest();
        request.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = value } });
        // A status left by an earlier object of that name judged other content.
        request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(Keys.Status(obj.Kind, obj.Name)) } });
        var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            throw new StoreConflictException($"{obj.Kind.DisplayName()} '{obj.Name}' already exists (in etcd at {key})");
        }
        return StoredObjects.WithState(written, response.Header.Revision, null);
    }

    public async Task<IConfigObject> UpdateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var (value, written) = Render(obj);
        var key = Keys.Object(obj.Kind, obj.Name);
        var requested = obj.Metadata.ResourceVersion;
        var request = new TxnRequest();
        if (string.IsNullOrEmpty(requested))
        {
            request.Compare.Add(Exists(key));
        }
        else
        {
            if (!long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
            {
                throw new StoreConflictException($"{obj.Kind.DisplayName()} '{obj.Name}': resource version '{requested}' is not an etcd revision");
            }
            request.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected });
        }
        request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = value } });
        request.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key), KeysOnly = true } });
        var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            var current = response.Responses[0].ResponseRange.Kvs.FirstOrDefault()
                ?? throw new StoreNotFoundException($"{obj.Kind.DisplayName()} '{obj.Name}' does not exist");
            throw new StoreConflictException(
                $"{obj.Kind.DisplayName()} '{obj.Name}': resource version {requested} is stale (current is {current.ModRevision})");
        }
        return StoredObjects.WithState(written, response.Header.Revision, null);
    }

    public async Task DeleteAsync(ConfigKind kind, string name, CancellationToken cancellationToken)
    {
        var key = Keys.Object(kind, name);
        var request = new TxnRequest();
        request.Compare.Add(Exists(key));
        request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key) } });
        request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(Keys.Status(kind, name)) } });
        var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
        }
    }

    public async Task WriteStatusAsync(ConfigKind kind, string name, string? resourceVersion, Status status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        var key = Keys.Object(kind, name);
        long judged;
        if (resourceVersion is null)
        {
            // The object did not load: the verdict is about the value there now.
            var current = await RangeAsync(new RangeRequest { Key = Bytes(key), KeysOnly = true }, cancellationToken).ConfigureAwait(false);
            judged = current.Kvs.FirstOrDefault()?.ModRevision ?? throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
        }
        else if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out judged))
        {
            throw new StoreConflictException($"{kind.DisplayName()} '{name}': resource version '{resourceVersion}' is not an etcd revision");
        }

        var request = new TxnRequest();
        request.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = judged });
        var fence = Fence;
        if (fence is not null)
        {
            request.Compare.Add(new Compare { Key = Bytes(Keys.Leader), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = fence.CreateRevision });
        }
        else if (LeadersOnly)
        {
            throw new StoreConflictException($"{kind.DisplayName()} '{name}': status not written, this process does not lead the controllers");
        }
        request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(Keys.Status(kind, name)), Value = EtcdStatusValue.Write(judged, status) } });
        request.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key), KeysOnly = true } });
        var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return;
        }
        var stored = response.Responses[0].ResponseRange.Kvs.FirstOrDefault()
            ?? throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
        if (stored.ModRevision != judged)
        {
            throw new StoreConflictException(
                $"{kind.DisplayName()} '{name}': the status judged resource version {judged}, but the current one is {stored.ModRevision}");
        }
        throw new StoreConflictException($"{kind.DisplayName()} '{name}': not written, this process no longer leads the controllers");
    }

    /// <summary>Raw values of one class of keys by name or ref (secrets and files, for migration).</summary>
    internal async Task<IReadOnlyDictionary<string, byte[]>> ReadRawAsync(EtcdKeyClass keyClass, CancellationToken cancellationToken)
    {
        var folder = Keys.FolderOf(keyClass);
        var response = await RangeAsync(new RangeRequest { Key = Bytes(folder), RangeEnd = EtcdKeys.RangeEnd(folder) }, cancellationToken).ConfigureAwait(false);
        return response.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8()[folder.Length..], kv => kv.Value.ToByteArray(), StringComparer.Ordinal);
    }

    /// <summary>Writes a secret or file as is (migration and tests: the CLI has no secret verbs yet).</summary>
    internal async Task PutRawAsync(EtcdKeyClass keyClass, string reference, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var key = keyClass switch
        {
            EtcdKeyClass.Secret => Keys.Secret(reference),
            EtcdKeyClass.File => Keys.File(reference),
            _ => throw new ArgumentOutOfRangeException(nameof(keyClass)),
        };
        await CallAsync(options => Connection.KVClient.PutAsync(new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value.Span) }, options), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();

    internal static ByteString Bytes(string key) => ByteString.CopyFromUtf8(key);

    internal async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        await CallAsync(options => Connection.KVClient.TxnAsync(request, options), cancellationToken).ConfigureAwait(false);

    internal async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken) =>
        await CallAsync(options => Connection.KVClient.RangeAsync(request, options), cancellationToken).ConfigureAwait(false);

    /// <summary>One unary call with the deadline; its outcome is the store's reachability.</summary>
    internal async Task<T> CallAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var result = await call(new CallOptions(deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return result;
        }
        // A passed deadline surfaces as a cancellation (the channel throws OperationCanceledException
        // on cancellation), not as an RpcException: both mean etcd did not answer in time.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
            throw Unreachable(e);
        }
    }

    private static Compare Exists(string key) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Greater, Version = 0 };

    /// <summary>The value written for an object (the YAML a file would hold), and that YAML read back.</summary>
    private static (ByteString Value, IConfigObject Written) Render(IConfigObject obj)
    {
        var yaml = ConfigCodec.ToYaml(StoredObjects.Strip(obj));
        var documents = ConfigCodec.ReadDocuments(yaml, obj.Kind, obj.Name);
        if (documents is not [{ Object: { } written, Error: null }] || written.Name != obj.Name)
        {
            throw new ConfigException(documents.FirstOrDefault(d => d.Error is not null)?.Error
                ?? new ConfigError("does not read back as one object") { Kind = obj.Kind, ObjectName = obj.Name });
        }
        return (ByteString.CopyFromUtf8(yaml), written);
    }

    private async Task ListAsync(EtcdView view, CancellationToken cancellationToken)
    {
        var response = await RangeAsync(new RangeRequest { Key = Keys.PrefixBytes, RangeEnd = Keys.PrefixEnd }, cancellationToken).ConfigureAwait(false);
        lock (view)
        {
            view.Reset(response.Kvs, response.Header.Revision);
        }
        Reachable($"listed at revision {response.Header.Revision}");
    }

    /// <summary>
    /// Follows the prefix from the view's revision until cancelled: resumes after every break,
    /// lists again after a compaction, and signals <paramref name="changed"/> when configuration changed.
    /// </summary>
    private async Task FollowAsync(EtcdView view, ChannelWriter<bool> changed, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await FollowStreamAsync(view, changed, () => delay = FirstRetry, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                if (_health.Reachable)
                {
                    Log.Unreachable(_logger, _options.Describe(), e is OperationCanceledException ? "the watch went silent" : e.Message);
                }
                Unreachable(e is OperationCanceledException ? new IOException("the watch went silent") : e);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, delay.Ticks * 2));
            }
        }
    }

    /// <summary>
    /// One watch stream, from the view's revision on. A stream that stops answering (a member
    /// that hangs, a connection gRPC has not noticed is gone) would look like a quiet config
    /// forever, so it is asked for progress every few seconds and dropped when it does not answer.
    /// </summary>
    private async Task FollowStreamAsync(EtcdView view, ChannelWriter<bool> changed, Action connected, CancellationTokenSource stream, CancellationToken cancellationToken)
    {
        long from;
        lock (view)
        {
            from = view.Revision + 1;
        }
        using var call = Connection.WatchClient.Watch(cancellationToken: stream.Token);
        var heard = Environment.TickCount64;
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = Keys.PrefixBytes, RangeEnd = Keys.PrefixEnd, StartRevision = from, ProgressNotify = true },
        }, stream.Token).ConfigureAwait(false);
        var liveness = CheckLivenessAsync(call, () => Volatile.Read(ref heard), stream);
        try
        {
            while (await call.ResponseStream.MoveNext(stream.Token).ConfigureAwait(false))
            {
                Volatile.Write(ref heard, Environment.TickCount64);
                var response = call.ResponseStream.Current;
                if (response.CompactRevision > 0)
                {
                    // The revision to resume from is gone: only a fresh listing is complete.
                    var relisted = await RangeAsync(new RangeRequest { Key = Keys.PrefixBytes, RangeEnd = Keys.PrefixEnd }, cancellationToken).ConfigureAwait(false);
                    bool relistChanged;
                    lock (view)
                    {
                        relistChanged = view.Reset(relisted.Kvs, relisted.Header.Revision);
                    }
                    Log.Relisted(_logger, from, response.CompactRevision, relisted.Header.Revision);
                    if (relistChanged)
                    {
                        changed.TryWrite(true);
                    }
                    return;
                }
                if (response.Canceled)
                {
                    throw new RpcException(new Grpc.Core.Status(StatusCode.Aborted, $"etcd cancelled the watch: {response.CancelReason}"));
                }
                if (response.Created)
                {
                    if (!_health.Reachable)
                    {
                        Log.Reconnected(_logger, from - 1);
                    }
                    Reachable($"watching from revision {from}");
                    connected();
                    continue;
                }
                var any = false;
                lock (view)
                {
                    foreach (var change in response.Events)
                    {
                        any |= view.Apply(change);
                    }
                    if (response.Events.Count == 0)
                    {
                        view.Advance(response.Header.Revision);
                    }
                }
                if (any)
                {
                    changed.TryWrite(true);
                }
            }
            // The server ended the stream: follow again from where this one stopped.
        }
        finally
        {
            await stream.CancelAsync().ConfigureAwait(false);
            await liveness.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Asks for progress every interval; cancels the stream when nothing was heard for two.</summary>
    private async Task CheckLivenessAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Func<long> heard, CancellationTokenSource stream)
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _options.RequestTimeout.Ticks / 2));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stream.Token).ConfigureAwait(false))
        {
            if (Environment.TickCount64 - heard() > 2 * interval.TotalMilliseconds)
            {
                await stream.CancelAsync().ConfigureAwait(false);
                return;
            }
            await call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, stream.Token).ConfigureAwait(false);
        }
    }

    private void Reachable(string detail)
    {
        var health = _health;
        _health = new StoreHealth(health.Store, true, detail, health.Reachable ? health.Since : DateTimeOffset.UtcNow);
    }

    private Exception Unreachable(Exception e)
    {
        var health = _health;
        var message = e switch
        {
            RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
            OperationCanceledException => $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s",
            _ => e.Message,
        };
        // etcd answered, but no: a wrong password, a user without permission on the prefix.
        var refused = e is RpcException { StatusCode: StatusCode.PermissionDenied or StatusCode.Unauthenticated }
            || (e is RpcException { StatusCode: StatusCode.InvalidArgument } && message.Contains("authentication failed", StringComparison.OrdinalIgnoreCase));
        _health = new StoreHealth(health.Store, false, $"{(refused ? "refused" : "unreachable")}: {message}", health.Reachable ? DateTimeOffset.UtcNow : health.Since);
        return e is RpcException or OperationCanceledException
            ? new EtcdUnavailableException($"etcd ({string.Join(',', _options.Endpoints)}) {(refused ? "refused the call" : "did not answer")}: {message}", e)
            : e;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EtcdEventIds.StoreUnreachable, Level = LogLevel.Warning, Message = "The store {Store} cannot be reached ({Reason}); serving the last configuration and retrying")]
        public static partial void Unreachable(ILogger logger, string store, string reason);

        [LoggerMessage(EventId = EtcdEventIds.StoreReconnected, Level = LogLevel.Information, Message = "The store answers again; resumed watching after revision {Revision}")]
        public static partial void Reconnected(ILogger logger, long revision);

        [LoggerMessage(EventId = EtcdEventIds.StoreRelisted, Level = LogLevel.Warning, Message = "Revision {From} was compacted away (compacted up to {Compacted}); listed everything again at revision {Revision}")]
        public static partial void Relisted(ILogger logger, long from, long compacted, long revision);
    }
}
