using Sluice.Gateway.Forwarding;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>One endpoint with what requests need from it computed once: its URL prefix and Host.</summary>
internal sealed class EndpointState(EndpointPlan plan, ClusterPlan cluster)
{
    public EndpointPlan Plan { get; } = plan;

    /// <summary>
    /// "http://10.0.0.1:8080", "http://[::1]:8443": always http, TLS clusters included, whose
    /// handler does TLS itself while connecting (see <see cref="ClusterClientFactory"/>).
    /// </summary>
    public string Prefix { get; } = $"http://{FormatHost(plan.Host)}:{plan.Port}";

    /// <summary>The Host header when the cluster rewrites it to its own name; null keeps the client's.</summary>
    public string? HostHeader { get; } = cluster.AutoHostRewrite
        ? (plan.Port is 80 or 443 ? plan.Host : $"{plan.Host}:{plan.Port}")
        : null;

    private UpstreamPool? _connections;
    private int _activeRequests;
    private volatile bool _healthy = true;
    private volatile bool _reachable = true;
    private int _consecutive5xx;
    private int _consecutiveConnectFailures;
    private long _ejectedUntil;

    /// <summary>How often outlier detection has ejected this endpoint (each ejection lasts longer).</summary>
    public int Ejections { get; set; }

    /// <summary>Ejected by outlier detection until this <see cref="System.Diagnostics.Stopwatch"/> timestamp has passed.</summary>
    public long EjectedUntil
    {
        get => Volatile.Read(ref _ejectedUntil);
        set => Volatile.Write(ref _ejectedUntil, value);
    }

    public bool IsEjected(long now) => EjectedUntil > now;

    /// <summary>Counts a 5xx (or reset) in a row; returns the streak.</summary>
    public int Failed5xx() => Interlocked.Increment(ref _consecutive5xx);

    public int FailedToConnect() => Interlocked.Increment(ref _consecutiveConnectFailures);

    public void Succeeded()
    {
        Volatile.Write(ref _consecutive5xx, 0);
        Volatile.Write(ref _consecutiveConnectFailures, 0);
    }

    /// <summary>False once active health checks failed it; every endpoint starts healthy.</summary>
    public bool IsHealthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    /// <summary>
    /// False while a destination whose client connects by itself (NATS) has no connection to it;
    /// kept apart from <see cref="IsHealthy"/> so active health checks and reachability never overwrite each other.
    /// </summary>
    public bool IsReachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    /// <summary>
    /// Active health checks: consecutive probe results that disagree with <see cref="IsHealthy"/>.
    /// Kept here, not in the checker, so an endpoint-only update (which starts a new checker for
    /// the new model) does not start the count again.
    /// </summary>
    public int HealthStreak { get; set; }

    /// <summary>Requests in flight to this endpoint (for least-request balancing).</summary>
    public int ActiveRequests => Volatile.Read(ref _activeRequests);

    public void RequestStarted() => Interlocked.Increment(ref _activeRequests);

    public void RequestEnded() => Interlocked.Decrement(ref _activeRequests);

    /// <summary>The direct forwarder's connections to this endpoint, made on first use.</summary>
    public UpstreamPool Connections(TimeSpan idleTimeout) => _connections ?? CreateConnections(idleTimeout);

    private UpstreamPool CreateConnections(TimeSpan idleTimeout)
    {
        var pool = new UpstreamPool(Plan.Host, Plan.Port, idleTimeout);
        if (Interlocked.CompareExchange(ref _connections, pool, null) is { } raced)
        {
            pool.Dispose();
            return raced;
        }
        return pool;
    }

    /// <summary>Closes the direct forwarder's idle connections: the endpoint left the cluster.</summary>
    public void CloseConnections() => Interlocked.Exchange(ref _connections, null)?.Dispose();

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;
}
