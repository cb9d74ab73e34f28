using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Storage;

namespace Sluice.Kubernetes;

/// <summary>
/// One leader among the controllers, elected on a <c>coordination.k8s.io/v1</c> Lease in the
/// store's namespace (<c>sluice-controller</c>), the way client-go's leader election does it:
/// the holder renews <c>spec.renewTime</c> every third of the lease; a standby takes the lease
/// over (a PUT on the resourceVersion it read, so only one standby wins) once the record has
/// not changed for a whole lease duration, measured on the standby's own clock from when it saw
/// the record change, so clock skew between nodes does not matter. A leader that cannot renew
/// stops counting itself leader before a standby could take over; one that leaves hands the
/// lease back (empty holder), so a standby takes over at once. Written against the API directly
/// (like the store) rather than client-go's port in KubernetesClient, to share the store's
/// requests and its fake-server tests.
/// </summary>
public sealed partial class KubernetesLeaseElection : ILeadership, IAsyncDisposable
{
    public const string DefaultLeaseName = "sluice-controller";

    private readonly KubernetesApi _api;
    private readonly bool _campaign;
    private readonly ILogger _logger;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _poll;
    private readonly string _path;
    private readonly string _namespace;
    private readonly string _name;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _isLeader;
    private volatile string? _leader;
    private string? _observedVersion;
    private DateTime _observedAt;
    private DateTime _renewedAt = DateTime.MinValue;
    private int _disposed;

    public KubernetesLeaseElection(KubernetesStore store, bool campaign, TimeSpan? leaseDuration = null, string? identity = null, string leaseName = DefaultLeaseName, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _api = store.Api;
        _campaign = campaign;
        _logger = logger ?? NullLogger.Instance;
        _duration = leaseDuration ?? TimeSpan.FromSeconds(15);
        _poll = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _duration.Ticks / 5));
        _namespace = store.Options.Namespace;
        _name = leaseName;
        _path = $"/apis/coordination.k8s.io/v1/namespaces/{Uri.EscapeDataString(_namespace)}/leases";
        Identity = identity ?? $"{Environment.MachineName}/{Environment.ProcessId}";
    }

    public string Identity { get; }

    public bool IsLeader => _isLeader;

    public string? Leader => _leader;

    public event Action? Changed;

    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Stops campaigning; a leader hands the lease back so a standby takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await StopAsync();
        if (_isLeader)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if (await _api.GetAsync($"{_path}/{Uri.EscapeDataString(_name)}", timeout.Token) is { } lease && Holder(lease) == Identity)
                {
                    lease["spec"]!["holderIdentity"] = "";
                    lease["spec"]!["leaseDurationSeconds"] = 1;
                    await _api.WriteAsync(HttpMethod.Put, $"{_path}/{Uri.EscapeDataString(_name)}", lease, timeout.Token);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or KubernetesApiException)
            {
                // The API server is away: the lease lapses on its own.
            }
        }
        SetState(false, null);
        _stop.Dispose();
    }

    /// <summary>Stops the loop without handing the lease back, as a killed process would (tests).</summary>
    internal async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TryAcquireOrRenewAsync(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or KubernetesApiException or OperationCanceledException or FormatException)
            {
                // Renewals fail: stop leading before a standby could take the lease over.
                if (_isLeader && DateTime.UtcNow + _poll >= _renewedAt + _duration)
                {
                    SetState(false, null);
                }
            }
            await Task.Delay(_isLeader ? _duration / 3 : _poll, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_duration / 3);
        var now = DateTime.UtcNow;
        var lease = await _api.GetAsync($"{_path}/{Uri.EscapeDataString(_name)}", timeout.Token);
        if (lease is null)
        {
            if (_campaign)
            {
                await WriteAsync(HttpMethod.Post, _path, Lease(null, now, transitions: 0), now, timeout.Token);
            }
            else
            {
                SetState(false, null);
            }
            return;
        }
        var holder = Holder(lease);
        var version = lease["metadata"]?["resourceVersion"]?.GetValue<string>();
        if (version != _observedVersion)
        {
            _observedVersion = version;
            _observedAt = now;
        }
        var transitions = lease["spec"]?["leaseTransitions"]?.GetValue<int>() ?? 0;
        var duration = lease["spec"]?["leaseDurationSeconds"]?.GetValue<int>() is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : _duration;
        if (!_campaign)
        {
            SetState(false, string.IsNullOrEmpty(holder) ? null : holder);
            return;
        }
        if (holder == Identity)
        {
            await WriteAsync(HttpMethod.Put, $"{_path}/{Uri.EscapeDataString(_name)}", Lease(lease, now, transitions, acquiredAt: lease["spec"]?["acquireTime"]), now, timeout.Token);
            return;
        }
        if (!string.IsNullOrEmpty(holder) && now < _observedAt + duration)
        {
            SetState(false, holder);
            return;
        }
        // Free, or its holder has not renewed for a whole lease: take it, if no other standby did first.
        await WriteAsync(HttpMethod.Put, $"{_path}/{Uri.EscapeDataString(_name)}", Lease(lease, now, transitions + 1), now, timeout.Token, holder);
    }

    /// <summary>Creates or replaces the lease; a 409 means another controller got there first.</summary>
    private async Task WriteAsync(HttpMethod method, string path, JsonObject lease, DateTime now, CancellationToken cancellationToken, string? previousHolder = null)
    {
        try
        {
            var written = await _api.WriteAsync(method, path, lease, cancellationToken);
            _observedVersion = written["metadata"]?["resourceVersion"]?.GetValue<string>();
            _observedAt = now;
            _renewedAt = now;
            SetState(true, Identity);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            SetState(false, previousHolder);
        }
    }

    private JsonObject Lease(JsonObject? current, DateTime now, int transitions, JsonNode? acquiredAt = null)
    {
        var time = JsonValue.Create(now.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));
        var metadata = new JsonObject { ["name"] = _name, ["namespace"] = _namespace };
        if (current?["metadata"]?["resourceVersion"]?.GetValue<string>() is { } version)
        {
            metadata["resourceVersion"] = version;
        }
        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = Identity,
                ["leaseDurationSeconds"] = (int)Math.Max(1, Math.Ceiling(_duration.TotalSeconds)),
                ["acquireTime"] = acquiredAt?.DeepClone() ?? time,
                ["renewTime"] = time.DeepClone(),
                ["leaseTransitions"] = transitions,
            },
        };
    }

    private static string? Holder(JsonObject lease) => lease["spec"]?["holderIdentity"]?.GetValue<string>();

    private void SetState(bool isLeader, string? leader)
    {
        var wasLeader = _isLeader;
        var previous = _leader;
        _isLeader = isLeader;
        _leader = leader;
        if (wasLeader == isLeader && previous == leader)
        {
            return;
        }
        if (isLeader && !wasLeader)
        {
            Log.Acquired(_logger, Identity, _namespace, _name, _duration.TotalSeconds);
        }
        else if (wasLeader && !isLeader)
        {
            Log.Lost(_logger, Identity);
        }
        Changed?.Invoke();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = KubernetesEventIds.LeadershipAcquired, Level = LogLevel.Information, Message = "{Identity} now leads the controllers (Lease {Namespace}/{Name}, {Seconds} s): it writes statuses and discovers")]
        public static partial void Acquired(ILogger logger, string identity, string @namespace, string name, double seconds);

        [LoggerMessage(EventId = KubernetesEventIds.LeadershipLost, Level = LogLevel.Warning, Message = "{Identity} no longer leads the controllers: it stops writing")]
        public static partial void Lost(ILogger logger, string identity);
    }
}
