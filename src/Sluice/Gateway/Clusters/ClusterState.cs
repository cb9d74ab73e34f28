using Sluice.Api;
using Sluice.Gateway.Endpoints;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// One upstream at run time, for as long as the upstream exists: it lives across reloads and
/// holds a swappable, immutable <see cref="ClusterModel"/> (the current plan bound to its
/// endpoints, client and invokers), as YARP's <c>ClusterState</c> holds its <c>ClusterModel</c>.
/// What outlives any one plan is here: the circuit-breaker counters, the usable-endpoint set
/// (<see cref="ClusterHealth"/>), and the reachability reports of invokers kept across reloads.
/// A request reads <see cref="Model"/> once and works with that.
/// </summary>
internal sealed class ClusterState : IEndpointReachability, IAsyncDisposable
{
    private readonly ClusterServices _services;
    private readonly ClusterHealth _health = new();
    // Plans come from the config loop and endpoints from a feed's watch: one swap at a time.
    // Reentrant, so a source may deliver from inside Subscribe.
    private readonly Lock _swapping = new();
    private volatile ClusterModel _model;
    // The plan as translated: with a feed, its endpoint list is empty and the model's is the feed's.
    private ClusterPlan _translated;
    private FeedSink? _feed;

    public ClusterState(ClusterPlan plan, ClusterServices services)
    {
        _services = services;
        _translated = plan;
        _model = new ClusterModel(plan, null, this, services.LoggerFactory);
        _health.Recompute(_model.Endpoints);
        _model.StartHealthChecks(this, services.LoggerFactory);
        lock (_swapping)
        {
            Subscribe(plan);
        }
    }

    public ClusterModel Model => _model;

    /// <summary>A scope for a new model's run-time findings; closed when the model is replaced.</summary>
    public IRuntimeFindings NewFindingsScope(string upstream) => _services.Findings.For(upstream);

    /// <summary>The plan being served: the translated one, with a feed's endpoints filled in.</summary>
    public ClusterPlan Plan => _model.Plan;

    public CircuitBreakers Breakers { get; } = new();

    /// <summary>
    /// When the next round of active health checks is due (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp; 0: at once): kept here so a new model's checker keeps the schedule.
    /// </summary>
    public long NextHealthRound { get; set; }

    public IReadOnlyList<EndpointState> Endpoints => _model.Endpoints;

    public bool HasEndpoints => _model.Endpoints.Length > 0;

    /// <summary>
    /// Swaps in a model for <paramref name="plan"/> when it differs from the last one translated.
    /// Returns the replaced model, to dispose (what it did not hand over) once requests still using
    /// it have finished; null when nothing changed. A feed whose spec is unchanged keeps its
    /// subscription, and the model keeps the endpoints it delivered.
    /// </summary>
    public ClusterModel? Update(ClusterPlan plan)
    {
        lock (_swapping)
        {
            if (_translated.Equals(plan))
            {
                return null;
            }
            var sameFeed = Equals(_translated.EndpointFeed, plan.EndpointFeed);
            _translated = plan;
            if (!sameFeed)
            {
                StopFeed();
            }
            var served = sameFeed && plan.EndpointFeed is not null ? plan with { Endpoints = _model.Plan.Endpoints } : plan;
            var replaced = Swap(served);
            if (!sameFeed)
            {
                Subscribe(plan);
            }
            return replaced;
        }
    }

    /// <summary>
    /// The upstream left the plan: its feed stops now (the state itself is disposed later, once
    /// requests still using it have finished).
    /// </summary>
    public void StopFeed()
    {
        lock (_swapping)
        {
            _feed?.Subscription?.Dispose();
            _feed = null;
        }
    }

    private void Subscribe(ClusterPlan plan)
    {
        if (plan.EndpointFeed is not { } feed || _services.EndpointSources.For(feed) is not { } source)
        {
            return;
        }
        var sink = new FeedSink(this);
        _feed = sink;
        sink.Subscription = source.Subscribe(feed, sink);
    }

    /// <summary>
    /// An endpoint-only update: the model is rebuilt from the translated plan and the delivered
    /// endpoints, taking over the client (its connection pool), the policy and the endpoints that
    /// stay (their health and requests in flight); breakers and health live here and stay too.
    /// </summary>
    private void Publish(FeedSink sink, ValueList<EndpointPlan> endpoints)
    {
        lock (_swapping)
        {
            if (_feed != sink || Swap(_translated with { Endpoints = endpoints }) is not { } replaced)
            {
                return;
            }
            _services.Retire(replaced);
            _services.EndpointsUpdated(_translated.Name);
        }
    }

    private ClusterModel? Swap(ClusterPlan plan)
    {
        var old = _model;
        if (old.Plan.Equals(plan))
        {
            return null;
        }
        old.StopHealthChecks();
        var next = new ClusterModel(plan, old, this, _services.LoggerFactory);
        _model = next;
        // The new model's invokers have said again what is still true (taken-over connections too).
        _services.Findings.Close(old.Findings);
        _health.Recompute(next.Endpoints);
        // Probes start once the model is published, so what they report applies to it.
        next.StartHealthChecks(this, _services.LoggerFactory);
        return old;
    }

    /// <summary>
    /// Picks an endpoint by the cluster's policy among the usable ones. When none is usable,
    /// all of them are candidates (Envoy's panic mode): a health check that fails everywhere more
    /// likely broke than every endpoint did, and answering beats refusing.
    /// </summary>
    public EndpointState NextEndpoint() => NextEndpoint(_model);

    public EndpointState NextEndpoint(ClusterModel model)
    {
        var all = model.Endpoints;
        if (all.Length == 1)
        {
            return all[0];
        }
        if (model.Plan.OutlierDetection is not null)
        {
            _health.ReadmitDue(all);
        }
        var usable = _health.UsableOf(all);
        var candidates = usable.Length > 0 ? usable : all;
        return candidates.Length == 1 ? candidates[0] : model.Policy.Pick(candidates);
    }

    /// <summary>Outlier detection: what one attempt to <paramref name="endpoint"/> came to.</summary>
    public void Record(ClusterModel model, EndpointState endpoint, AttemptOutcome outcome) =>
        _health.Record(model.Endpoints, model.Plan.OutlierDetection, endpoint, outcome);

    /// <summary>A health check or a reachability report changed an endpoint.</summary>
    public void HealthChanged() => _health.Recompute(_model.Endpoints);

    public void SetReachable(string host, int port, bool reachable)
    {
        // A client may report while the first model is still being made.
        if (_model is not { } model)
        {
            return;
        }
        foreach (var endpoint in model.Endpoints)
        {
            if (endpoint.Plan.Port == port && string.Equals(endpoint.Plan.Host, host, StringComparison.OrdinalIgnoreCase) && endpoint.IsReachable != reachable)
            {
                endpoint.IsReachable = reachable;
                HealthChanged();
            }
        }
    }

    /// <summary>The upstream is gone from the plan: its current model goes (later models will not come).</summary>
    public ValueTask DisposeAsync()
    {
        StopFeed();
        _services.Findings.Close(_model.Findings);
        return _model.DisposeAsync();
    }

    /// <summary>One subscription's deliveries; ignored once the cluster moved to another feed or left.</summary>
    private sealed class FeedSink(ClusterState owner) : IEndpointSink
    {
        public IDisposable? Subscription { get; set; }

        public void Publish(ValueList<EndpointPlan> endpoints) => owner.Publish(this, endpoints);
    }
}
