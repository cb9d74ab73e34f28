using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// A cluster at run time: its plan, one pooled HTTP client, and the endpoints to pick from.
/// Kept as is across reloads while the cluster's plan stays equal. When it changes, the next
/// state takes over from this one whatever the change left alone (see <see cref="ClusterState(ClusterPlan, ClusterState?, ILoggerFactory)"/>),
/// so adding a function or changing load balancing drops no connection and forgets no ejection.
/// </summary>
internal sealed class ClusterState : IAsyncDisposable
{
    private readonly EndpointState[] _endpoints;
    private HealthChecker? _healthChecker;
    private volatile EndpointState[] _healthyEndpoints;
    private readonly Dictionary<string, IInvoker> _functionInvokers = new(StringComparer.Ordinal);
    private readonly Counters _counters;
    private long _nextReadmission = long.MaxValue;
    private readonly Lock _ejectionLock = new();

    /// <summary>What the next state took over (and so this one must not dispose).</summary>
    private readonly HashSet<object> _handedOver = new(ReferenceEqualityComparer.Instance);

    /// <param name="previous">
    /// The state of the same upstream under the last plan, if any: its client is kept while the
    /// transport settings are equal (as YARP's <c>ForwarderHttpClientFactory</c> keeps a cluster's
    /// client), its endpoints (health, ejections, requests in flight) by address, its breaker
    /// counters always, and its invokers (e.g. a NATS connection) while their spec and client are equal.
    /// </param>
    public ClusterState(ClusterPlan plan, ClusterState? previous, ILoggerFactory loggerFactory)
    {
        Plan = plan;
        _counters = previous?.HandOver(previous._counters) ?? new Counters();
        _endpoints = plan.Endpoints.Select(e => previous?.TakeEndpoint(e, plan) ?? new EndpointState(e, plan)).ToArray();
        _healthyEndpoints = _endpoints;
        var keepsClient = previous is not null && ClusterClientFactory.CanReuse(previous.Plan, plan);
        Client = keepsClient ? previous!.HandOver(previous.Client) : ClusterClientFactory.Create(plan);
        previous?.StopHealthChecks();
        if (plan.HealthCheck is { } healthCheck && _endpoints.Length > 0)
        {
            _healthChecker = new HealthChecker(this, healthCheck, loggerFactory.CreateLogger<HealthChecker>());
        }
        var services = new InvokerServices(plan, Client, loggerFactory);
        Invoker = keepsClient && previous!.Invoker is { } kept && Equals(previous.Plan.Invoker, plan.Invoker)
            ? previous.HandOver(kept)
            : plan.Invoker?.CreateInvoker(services);
        foreach (var function in plan.Functions)
        {
            if (function.Invoker is null)
            {
                continue;
            }
            _functionInvokers[function.Name] = keepsClient && previous!.Plan.Functions.Contains(function) && previous._functionInvokers.TryGetValue(function.Name, out var invoker)
                ? previous.HandOver(invoker)
                : function.Invoker.CreateInvoker(services);
        }
        HealthChanged();
    }

    public ClusterPlan Plan { get; }

    public HttpMessageInvoker Client { get; }

    /// <summary>The upstream plugin's invoker; null when requests are forwarded to the endpoints.</summary>
    public IInvoker? Invoker { get; }

    /// <summary>Who serves a request for <paramref name="function"/>: its own invoker, else the cluster's.</summary>
    public IInvoker? InvokerFor(string? function) =>
        function is not null && _functionInvokers.TryGetValue(function, out var invoker) ? invoker : Invoker;

    public bool HasEndpoints => _endpoints.Length > 0;

    public IReadOnlyList<EndpointState> Endpoints => _endpoints;

    /// <summary>
    /// Picks an endpoint by the cluster's policy among the healthy ones. When none is healthy,
    /// all of them are candidates (Envoy's panic mode): a health check that fails everywhere more
    /// likely broke than every endpoint did, and answering beats refusing.
    /// </summary>
    public EndpointState NextEndpoint()
    {
        var all = _endpoints;
        if (all.Length == 1)
        {
            return all[0];
        }
        if (Plan.OutlierDetection is not null && Stopwatch.GetTimestamp() >= Volatile.Read(ref _nextReadmission))
        {
            HealthChanged();
        }
        var healthy = _healthyEndpoints;
        var candidates = healthy.Length > 0 ? healthy : all;
        return Plan.LoadBalancing switch
        {
            LoadBalancingPolicy.Random => candidates[Random.Shared.Next(candidates.Length)],
            LoadBalancingPolicy.LeastRequest => LeastLoaded(candidates),
            LoadBalancingPolicy.PowerOfTwo => PowerOfTwo(candidates),
            // Round robin also moves a retry on to the next endpoint.
            _ => candidates[Interlocked.Increment(ref _counters.Next) % (uint)candidates.Length],
        };
    }

    /// <summary>
    /// Admits a request under the circuit breakers (requests in flight, and requests waiting for a
    /// connection beyond those every connection carries); false = answer 503 at once.
    /// Pair with <see cref="Release"/>.
    /// </summary>
    public bool TryAdmit()
    {
        var active = Interlocked.Increment(ref _counters.ActiveRequests);
        var limits = Plan.CircuitBreakers;
        if (limits is not null
            && (active > limits.MaxRequests
                || (limits is { MaxConnections: { } connections, MaxPendingRequests: { } pending } && active > connections * _endpoints.Length + pending)))
        {
            Interlocked.Decrement(ref _counters.ActiveRequests);
            return false;
        }
        return true;
    }

    public void Release() => Interlocked.Decrement(ref _counters.ActiveRequests);

    /// <summary>Whether another retry fits under <c>max_retries</c> (checked before an attempt; approximate under races, as Envoy's is).</summary>
    public bool RetryAllowed => Plan.CircuitBreakers?.MaxRetries is not { } max || Volatile.Read(ref _counters.ActiveRetries) < max;

    public void RetryStarted() => Interlocked.Increment(ref _counters.ActiveRetries);

    public void RetryEnded() => Interlocked.Decrement(ref _counters.ActiveRetries);

    /// <summary>
    /// Recomputes the set of usable endpoints when a health check or an ejection changes, and
    /// notes when the next ejection ends (a request after that moment recomputes it again).
    /// </summary>
    internal void HealthChanged()
    {
        var now = Stopwatch.GetTimestamp();
        _healthyEndpoints = _endpoints.Where(e => e.IsHealthy && !e.IsEjected(now)).ToArray();
        var ejections = _endpoints.Select(e => e.EjectedUntil).Where(until => until > now);
        Volatile.Write(ref _nextReadmission, ejections.DefaultIfEmpty(long.MaxValue).Min());
    }

    /// <summary>Outlier detection: what one attempt to <paramref name="endpoint"/> came to.</summary>
    public void Record(EndpointState endpoint, AttemptOutcome outcome)
    {
        if (Plan.OutlierDetection is not { } outliers || outcome == AttemptOutcome.Unknown)
        {
            return;
        }
        var eject = outcome switch
        {
            AttemptOutcome.Success => Succeeded(endpoint),
            AttemptOutcome.ServerError => outliers.Consecutive5xx > 0 && endpoint.Failed5xx() >= outliers.Consecutive5xx,
            _ => outliers.ConsecutiveConnectFailures > 0 && endpoint.FailedToConnect() >= outliers.ConsecutiveConnectFailures,
        };
        if (eject)
        {
            TryEject(endpoint, outliers);
        }
    }

    private static bool Succeeded(EndpointState endpoint)
    {
        endpoint.Succeeded();
        return false;
    }

    private void TryEject(EndpointState endpoint, OutlierDetectionPlan outliers)
    {
        lock (_ejectionLock)
        {
            var now = Stopwatch.GetTimestamp();
            if (endpoint.IsEjected(now))
            {
                return;
            }
            // Envoy's rule: the percentage caps ejections, but one endpoint may always go.
            var allowed = Math.Max(1, _endpoints.Length * outliers.MaxEjectionPercent / 100);
            if (_endpoints.Count(e => e.IsEjected(now)) >= allowed)
            {
                return;
            }
            endpoint.Ejections++;
            endpoint.EjectedUntil = now + (long)(outliers.BaseEjectionTime.TotalSeconds * endpoint.Ejections * Stopwatch.Frequency);
            endpoint.Succeeded();
            HealthChanged();
        }
    }

    /// <summary>The endpoint with the fewest requests in flight; ties take turns.</summary>
    private EndpointState LeastLoaded(EndpointState[] candidates)
    {
        var fewest = int.MaxValue;
        var ties = 0;
        EndpointState first = candidates[0];
        foreach (var candidate in candidates)
        {
            var active = candidate.ActiveRequests;
            if (active < fewest)
            {
                (fewest, ties, first) = (active, 1, candidate);
            }
            else if (active == fewest)
            {
                ties++;
            }
        }
        var turn = (int)(Interlocked.Increment(ref _counters.Next) % (uint)ties);
        foreach (var candidate in candidates)
        {
            if (candidate.ActiveRequests == fewest && turn-- == 0)
            {
                return candidate;
            }
        }
        // Counts moved between the two passes (requests run concurrently): the first pass's pick is fine.
        return first;
    }

    private static EndpointState PowerOfTwo(EndpointState[] candidates)
    {
        var first = candidates[Random.Shared.Next(candidates.Length)];
        var second = candidates[Random.Shared.Next(candidates.Length)];
        return second.ActiveRequests < first.ActiveRequests ? second : first;
    }

    /// <summary>The endpoint at the same address with the same Host treatment, taken over by the next state.</summary>
    private EndpointState? TakeEndpoint(EndpointPlan endpoint, ClusterPlan next)
    {
        foreach (var candidate in _endpoints)
        {
            if (candidate.Plan == endpoint && Plan.AutoHostRewrite == next.AutoHostRewrite)
            {
                return HandOver(candidate);
            }
        }
        return null;
    }

    private T HandOver<T>(T piece) where T : notnull
    {
        lock (_handedOver)
        {
            _handedOver.Add(piece);
        }
        return piece;
    }

    /// <summary>A replaced state's probes stop at once: the next state probes the same endpoints.</summary>
    private void StopHealthChecks()
    {
        var checker = Interlocked.Exchange(ref _healthChecker, null);
        if (checker is not null)
        {
            _ = checker.DisposeAsync().AsTask();
        }
    }

    /// <summary>Disposes what this state owns and no later state took over.</summary>
    public async ValueTask DisposeAsync()
    {
        StopHealthChecks();
        foreach (var invoker in _functionInvokers.Values.Append(Invoker))
        {
            if (invoker is IAsyncDisposable disposable && !_handedOver.Contains(invoker))
            {
                await disposable.DisposeAsync();
            }
        }
        if (!_handedOver.Contains(Client))
        {
            Client.Dispose();
        }
    }

    /// <summary>Breaker and balancing counters: they outlive plan changes, as the requests they count do.</summary>
    private sealed class Counters
    {
        public int ActiveRequests;
        public int ActiveRetries;
        public uint Next;
    }
}
