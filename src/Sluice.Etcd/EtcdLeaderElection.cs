using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Storage;

namespace Sluice.Etcd;

/// <summary>
/// One leader among the controllers, elected on an etcd lease: the leader key
/// (<c>&lt;prefix&gt;leader</c>) holds the leader's identity and lives as long as its lease. The
/// leader keeps the lease alive; standbys watch the key (by polling it) and campaign the moment
/// it is gone, which is at most one lease time after a leader died. A leader that cannot renew
/// its lease stops counting itself leader before etcd could hand the key to anyone else, and its
/// status writes are fenced on the key it created (<see cref="EtcdStore.Fence"/>) besides.
/// With <c>campaign: false</c> (a gateway) it only follows who leads, for <c>/readyz</c>.
/// </summary>
public sealed partial class EtcdLeaderElection : ILeadership, IAsyncDisposable
{
    private readonly EtcdStore _store;
    private readonly bool _campaign;
    private readonly ILogger _logger;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _poll;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _isLeader;
    private volatile string? _leader;
    private long _lease;

    public EtcdLeaderElection(EtcdStore store, bool campaign, string? identity = null, ILogger? logger = null)
    {
        _store = store;
        _campaign = campaign;
        store.LeadersOnly = campaign;
        _logger = logger ?? NullLogger.Instance;
        _ttl = store.Options.LeaseTtl;
        // Standbys look often enough that a lapsed lease is taken over well within one more lease time.
        _poll = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _ttl.Ticks / 5));
        Identity = identity ?? $"{Environment.MachineName}/{Environment.ProcessId}";
    }

    public string Identity { get; }

    public bool IsLeader => _isLeader;

    public string? Leader => _leader;

    public event Action? Changed;

    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Stops campaigning; a leader gives the lease back, so a standby takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Interlocked.Exchange(ref _lease, 0) is var lease and not 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _store.CallAsync(o => _store.Connection.LeaseClient.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, o), timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or RpcException)
            {
                // etcd is away: the lease lapses on its own.
            }
        }
        SetState(false, _leader);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // Until this time, etcd cannot have let the lease lapse: it was renewed (or granted) at
        // the start of a call that then succeeded.
        var leaseValidUntil = DateTime.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_campaign)
                {
                    var renewedAt = DateTime.UtcNow;
                    if (await KeepAliveAsync(cancellationToken))
                    {
                        leaseValidUntil = renewedAt + _ttl;
                    }
                    else
                    {
                        leaseValidUntil = DateTime.MinValue;
                        SetState(false, _leader);
                        renewedAt = DateTime.UtcNow;
                        await GrantAsync(cancellationToken);
                        leaseValidUntil = renewedAt + _ttl;
                    }
                    await CampaignAsync(cancellationToken);
                }
                else
                {
                    var current = await _store.RangeAsync(new RangeRequest { Key = EtcdStore.Bytes(_store.Keys.Leader) }, cancellationToken);
                    SetState(false, current.Kvs.FirstOrDefault()?.Value.ToStringUtf8());
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is IOException or RpcException or InvalidOperationException)
            {
                if (_isLeader && DateTime.UtcNow + _poll >= leaseValidUntil)
                {
                    // Renewals fail and the lease may lapse before the next try: stop writing now.
                    SetState(false, null);
                }
            }
            await Task.Delay(_isLeader ? _ttl / 3 : _poll, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task GrantAsync(CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Max(1, Math.Ceiling(_ttl.TotalSeconds));
        var granted = await _store.CallAsync(o => _store.Connection.LeaseClient.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, o), cancellationToken);
        Interlocked.Exchange(ref _lease, granted.ID);
    }

    /// <summary>Renews the lease; false when there is none or etcd says it has lapsed.</summary>
    private async Task<bool> KeepAliveAsync(CancellationToken cancellationToken)
    {
        var lease = Interlocked.Read(ref _lease);
        if (lease == 0)
        {
            return false;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_ttl / 3);
        try
        {
            using var call = _store.Connection.LeaseClient.LeaseKeepAlive(cancellationToken: timeout.Token);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, timeout.Token);
            await call.RequestStream.CompleteAsync();
            if (!await call.ResponseStream.MoveNext(timeout.Token))
            {
                throw new IOException("etcd closed the lease keep-alive stream");
            }
            return call.ResponseStream.Current.TTL > 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("etcd did not renew the lease in time");
        }
    }

    /// <summary>Takes the leader key when it is free; otherwise notes who holds it.</summary>
    private async Task CampaignAsync(CancellationToken cancellationToken)
    {
        var key = EtcdStore.Bytes(_store.Keys.Leader);
        var request = new TxnRequest();
        request.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = Google.Protobuf.ByteString.CopyFromUtf8(Identity), Lease = Interlocked.Read(ref _lease) } });
        request.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        var response = await _store.TxnAsync(request, cancellationToken);
        if (response.Succeeded)
        {
            _store.Fence = new LeaderFence(response.Header.Revision);
            SetState(true, Identity);
            return;
        }
        var holder = response.Responses[0].ResponseRange.Kvs[0];
        var ours = holder.Lease == Interlocked.Read(ref _lease);
        if (ours)
        {
            // Still ours (renewed in time): keep leading.
            _store.Fence = new LeaderFence(holder.CreateRevision);
        }
        SetState(ours, holder.Value.ToStringUtf8());
    }

    private void SetState(bool isLeader, string? leader)
    {
        var wasLeader = _isLeader;
        var previous = _leader;
        if (!isLeader)
        {
            _store.Fence = null;
        }
        _isLeader = isLeader;
        _leader = leader;
        if (wasLeader == isLeader && previous == leader)
        {
            return;
        }
        if (isLeader && !wasLeader)
        {
            Log.Acquired(_logger, Identity, _ttl.TotalSeconds);
        }
        else if (wasLeader && !isLeader)
        {
            Log.Lost(_logger, Identity);
        }
        Changed?.Invoke();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EtcdEventIds.LeadershipAcquired, Level = LogLevel.Information, Message = "{Identity} now leads the controllers (lease {Seconds} s): it writes statuses")]
        public static partial void Acquired(ILogger logger, string identity, double seconds);

        [LoggerMessage(EventId = EtcdEventIds.LeadershipLost, Level = LogLevel.Warning, Message = "{Identity} no longer leads the controllers: it stops writing")]
        public static partial void Lost(ILogger logger, string identity);
    }
}
