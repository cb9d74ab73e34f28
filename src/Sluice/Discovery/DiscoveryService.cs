using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Discovery;

/// <summary>
/// Function discovery: a client of the store, like the CLI. It reads upstreams, asks the first
/// source that claims each (Lambda, a FaaS listing, gRPC reflection, OpenAPI) what functions it
/// has, and writes the result beside the upstream (<see cref="IDiscoveryStore"/>), never into the
/// user's files. Quiet by design: only opted-in upstreams (by default), a bounded number at once,
/// and each upstream looked at again only on a schedule of its own — soon after a change to the
/// upstream, every <see cref="DiscoveryOptions.RefreshInterval"/> while it has functions, and with
/// a doubling backoff up to <see cref="DiscoveryOptions.MaxBackoff"/> while it has none or fails.
/// One log line per change of an upstream's state, never one per probe.
/// </summary>
public sealed partial class DiscoveryService : IDisposable
{
    private static readonly TimeSpan WatchRetryDelay = TimeSpan.FromSeconds(1);

    private readonly IConfigStore _store;
    private readonly IDiscoveryStore _records;
    private readonly DiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IFunctionSource> _sources;
    private readonly DiscoveryHttp? _ownedHttp;
    private readonly DiscoveryWriter _writer;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);

    public DiscoveryService(IConfigStore store, DiscoveryOptions options, ILogger<DiscoveryService> logger, IReadOnlyList<IFunctionSource>? sources = null)
    {
        _store = store;
        _records = store as IDiscoveryStore ?? throw new ArgumentException($"{store.GetType().Name} cannot keep discovered functions (it is not an {nameof(IDiscoveryStore)})", nameof(store));
        _options = options;
        _logger = logger;
        if (sources is null)
        {
            _ownedHttp = new DiscoveryHttp(options);
            sources = DefaultSources(_ownedHttp, options);
        }
        _sources = sources;
        _writer = new DiscoveryWriter(_records, options.Time);
        _slots = new SemaphoreSlim(Math.Max(1, options.Concurrency));
    }

    /// <summary>Lambda first (by type), then a listing API, gRPC reflection, and OpenAPI.</summary>
    public static IReadOnlyList<IFunctionSource> DefaultSources(DiscoveryHttp http, DiscoveryOptions options) =>
    [
        new LambdaListingSource(http, options),
        new FaasListingSource(http),
        new GrpcReflectionSource(options),
        new OpenApiSource(http, options),
    ];

    /// <summary>The state of every upstream discovery looks at, by name.</summary>
    public IReadOnlyList<UpstreamDiscoveryState> States
    {
        get
        {
            lock (_lock)
            {
                return [.. _tracked.Values.Select(t => t.State).OrderBy(s => s.Upstream, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>One pass over every wanted upstream (<c>sluice discover</c>); returns the states reached.</summary>
    public async Task<IReadOnlyList<UpstreamDiscoveryState>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var due = Reconcile(snapshot);
        await Task.WhenAll(due.Select(t => ExamineAsync(t, snapshot, cancellationToken))).ConfigureAwait(false);
        await RemoveStaleRecordsAsync(snapshot, cancellationToken).ConfigureAwait(false);
        return States;
    }

    /// <summary>Follows the store until cancelled (<c>sluice run</c>, <c>sluice discover --watch</c>).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ConfigSnapshot? latest = null;
        var watch = Task.Run(async () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await foreach (var snapshot in _store.WatchAsync(cancellationToken).ConfigureAwait(false))
                    {
                        Volatile.Write(ref latest, snapshot);
                        _wake.Release();
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A store that cannot be read now (a busy lock, a vanished folder) may be readable soon.
                    Log.WatchFailed(_logger, exception);
                    await Task.Delay(WatchRetryDelay, _options.Time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }, cancellationToken);
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (Volatile.Read(ref latest) is { } snapshot)
                {
                    running.RemoveAll(t => t.IsCompleted);
                    foreach (var tracked in Reconcile(snapshot))
                    {
                        running.Add(ExamineAndWakeAsync(tracked, snapshot, cancellationToken));
                    }
                    await RemoveStaleRecordsAsync(snapshot, cancellationToken).ConfigureAwait(false);
                }
                await WaitAsync(NextDue(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// False while this process waits to lead (<see cref="RunWhileLeadingAsync"/>): a standby
    /// controller discovers nothing and writes nothing.
    /// </summary>
    public bool Leading { get; private set; } = true;

    /// <summary>
    /// Runs discovery only while <paramref name="leadership"/> says this process leads the
    /// controllers, so one process writes discovered records at a time: a term starts when it
    /// gains the lead and ends the moment it may have lost it (the store's fence refuses any
    /// write still in flight). Each term starts afresh, because the previous leader may have
    /// found things meanwhile.
    /// </summary>
    public async Task RunWhileLeadingAsync(ILeadership leadership, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        using var changed = new SemaphoreSlim(0, int.MaxValue);
        CancellationTokenSource? term = null;
        void OnChanged()
        {
            try
            {
                if (!leadership.IsLeader)
                {
                    Volatile.Read(ref term)?.Cancel();
                }
                changed.Release();
            }
            catch (ObjectDisposedException)
            {
                // The term (or the whole run) ended meanwhile.
            }
        }
        leadership.Changed += OnChanged;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Leading = leadership.IsLeader;
                if (!Leading)
                {
                    // The event wakes this at once; the timeout is a safety net for a missed one.
                    await changed.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                using (var current = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    Volatile.Write(ref term, current);
                    if (!leadership.IsLeader)
                    {
                        continue;
                    }
                    Log.TermStarted(_logger, leadership.Identity);
                    try
                    {
                        await RunAsync(current.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Volatile.Write(ref term, null);
                    }
                }
                lock (_lock)
                {
                    _tracked.Clear();
                }
                if (!cancellationToken.IsCancellationRequested)
                {
                    Log.TermEnded(_logger, leadership.Identity);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            leadership.Changed -= OnChanged;
            Volatile.Write(ref term, null);
        }
    }

    public void Dispose()
    {
        _ownedHttp?.Dispose();
        _slots.Dispose();
        _wake.Dispose();
    }

    /// <summary>
    /// Brings the tracked set in line with the snapshot and returns the upstreams due now (marked
    /// busy). A changed upstream is due at once: its new address or annotations deserve a look.
    /// </summary>
    private List<Tracked> Reconcile(ConfigSnapshot snapshot)
    {
        var now = _options.Time.GetUtcNow();
        var due = new List<Tracked>();
        lock (_lock)
        {
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var upstream in snapshot.Upstreams)
            {
                if (!DiscoveryAnnotations.IsWanted(upstream, _options.Mode))
                {
                    continue;
                }
                var target = new DiscoveryTarget(upstream, snapshot, UpstreamAddress.Of(upstream));
                var source = _sources.FirstOrDefault(s => s.Claims(target));
                if (source is null)
                {
                    continue;
                }
                wanted.Add(upstream.Name);
                var identity = (IConfigObject)StoredObjects.Strip(upstream);
                if (!_tracked.TryGetValue(upstream.Name, out var tracked) || !Equals(tracked.Identity, identity))
                {
                    tracked = new Tracked(identity, source, new UpstreamDiscoveryState { Upstream = upstream.Name, State = "pending", NextAttempt = now })
                    {
                        // An examination of the old version may still run; it updates the old entry only.
                        Target = target,
                    };
                    _tracked[upstream.Name] = tracked;
                }
                tracked.Target = target;
                if (!tracked.Busy && tracked.State.NextAttempt <= now)
                {
                    tracked.Busy = true;
                    due.Add(tracked);
                }
            }
            foreach (var name in _tracked.Keys.Where(n => !wanted.Contains(n)).ToList())
            {
                _tracked.Remove(name);
            }
        }
        return due;
    }

    /// <summary>Records of upstreams gone, opted out, or no longer claimed by any source: their functions go too.</summary>
    private async Task RemoveStaleRecordsAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        List<string> stale;
        lock (_lock)
        {
            stale = [.. snapshot.Discovered.Keys.Where(name => !_tracked.ContainsKey(name))];
        }
        foreach (var name in stale)
        {
            await TryStoreAsync(name, () => _records.DeleteDiscoveryAsync(name, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task ExamineAndWakeAsync(Tracked tracked, ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            await ExamineAsync(tracked, snapshot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _wake.Release();
        }
    }

    private async Task ExamineAsync(Tracked tracked, ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        var target = tracked.Target!;
        var name = target.Upstream.Name;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        SourceResult result;
        try
        {
            result = await tracked.Source.DiscoverAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A source's own bug must cost only this upstream's discovery.
            result = SourceResult.Failed(tracked.Source.Name, $"{tracked.Source.Name} discovery failed: {exception.Message}");
            Log.SourceFailed(_logger, name, tracked.Source.Name, exception);
        }
        finally
        {
            _slots.Release();
        }

        if (result.Outcome == SourceOutcome.NothingFound)
        {
            // Nothing there (any more): nothing to show, and no Warning on an upstream that never had functions.
            if (snapshot.Discovered.ContainsKey(name))
            {
                await TryStoreAsync(name, () => _records.DeleteDiscoveryAsync(name, cancellationToken)).ConfigureAwait(false);
            }
        }
        else
        {
            await TryStoreAsync(name, () => _writer.WriteAsync(name, result, cancellationToken)).ConfigureAwait(false);
        }
        Advance(tracked, result);
    }

    private void Advance(Tracked tracked, SourceResult result)
    {
        var now = _options.Time.GetUtcNow();
        var old = tracked.State;
        var found = result.Outcome == SourceOutcome.Found;
        var misses = found ? 0 : old.Misses + 1;
        var wait = found ? _options.RefreshInterval : Backoff(misses);
        var state = old with
        {
            State = result.Outcome switch { SourceOutcome.Found => "found", SourceOutcome.NothingFound => "nothing", _ => "failing" },
            Source = result.Source,
            Functions = result.Functions.Count,
            Message = found ? (result.Problems.Count > 0 ? string.Join("; ", result.Problems) : null) : result.Problems.FirstOrDefault(),
            LastAttempt = now,
            NextAttempt = now + wait,
            Misses = misses,
            Passes = old.Passes + 1,
        };
        lock (_lock)
        {
            tracked.State = state;
            tracked.Busy = false;
        }
        if (state.State != old.State || state.Functions != old.Functions || state.Message != old.Message)
        {
            switch (state.State)
            {
                case "found":
                    Log.FunctionsFound(_logger, state.Upstream, state.Functions, state.Source!);
                    break;
                case "nothing":
                    Log.NothingFound(_logger, state.Upstream, state.Message ?? "", wait);
                    break;
                default:
                    Log.Failing(_logger, state.Upstream, state.Message ?? "", wait);
                    break;
            }
        }
    }

    private TimeSpan Backoff(int misses)
    {
        var factor = Math.Pow(2, Math.Min(misses - 1, 20));
        var wait = TimeSpan.FromTicks((long)Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks));
        return wait < _options.InitialBackoff ? _options.InitialBackoff : wait;
    }

    private DateTimeOffset? NextDue()
    {
        lock (_lock)
        {
            return _tracked.Values.Where(t => !t.Busy).Select(t => (DateTimeOffset?)t.State.NextAttempt).Min();
        }
    }

    /// <summary>Waits for a new snapshot, a finished examination, or the next upstream falling due.</summary>
    private async Task WaitAsync(DateTimeOffset? nextDue, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (nextDue is { } due)
        {
            var delay = due - _options.Time.GetUtcNow();
            if (delay <= TimeSpan.Zero)
            {
                return;
            }
            var delayTask = Task.Delay(delay, _options.Time, timer.Token);
            var wakeTask = _wake.WaitAsync(timer.Token);
            await Task.WhenAny(delayTask, wakeTask).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(delayTask, wakeTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }
        await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task TryStoreAsync(string upstream, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or TimeoutException or StoreConflictException)
        {
            Log.StoreFailed(_logger, upstream, exception.Message);
        }
    }

    /// <summary>One upstream under watch: who examines it, its state, and whether an examination is under way.</summary>
    private sealed class Tracked(IConfigObject identity, IFunctionSource source, UpstreamDiscoveryState state)
    {
        public IConfigObject Identity { get; } = identity;

        public IFunctionSource Source { get; } = source;

        public UpstreamDiscoveryState State { get; set; } = state;

        public DiscoveryTarget? Target { get; set; }

        public bool Busy { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(DiscoveryEventIds.FunctionsFound, LogLevel.Information, "Upstream {Upstream}: discovered {Count} functions from {Source}")]
        public static partial void FunctionsFound(ILogger logger, string upstream, int count, string source);

        [LoggerMessage(DiscoveryEventIds.NothingFound, LogLevel.Information, "Upstream {Upstream}: nothing to discover ({Reason}); next look in {Wait}")]
        public static partial void NothingFound(ILogger logger, string upstream, string reason, TimeSpan wait);

        [LoggerMessage(DiscoveryEventIds.DiscoveryFailing, LogLevel.Warning, "Upstream {Upstream}: discovery failing: {Reason}; next try in {Wait}")]
        public static partial void Failing(ILogger logger, string upstream, string reason, TimeSpan wait);

        [LoggerMessage(DiscoveryEventIds.SourceFailed, LogLevel.Error, "Upstream {Upstream}: the {Source} source failed unexpectedly")]
        public static partial void SourceFailed(ILogger logger, string upstream, string source, Exception exception);

        [LoggerMessage(DiscoveryEventIds.WatchFailed, LogLevel.Warning, "Discovery could not read the store; trying again")]
        public static partial void WatchFailed(ILogger logger, Exception exception);

        [LoggerMessage(DiscoveryEventIds.StoreFailed, LogLevel.Warning, "Upstream {Upstream}: could not write what discovery found: {Reason}")]
        public static partial void StoreFailed(ILogger logger, string upstream, string reason);

        [LoggerMessage(DiscoveryEventIds.TermStarted, LogLevel.Information, "{Identity} leads the controllers: discovery runs here")]
        public static partial void TermStarted(ILogger logger, string identity);

        [LoggerMessage(DiscoveryEventIds.TermEnded, LogLevel.Information, "{Identity} no longer leads the controllers: discovery stops here")]
        public static partial void TermEnded(ILogger logger, string identity);
    }
}
