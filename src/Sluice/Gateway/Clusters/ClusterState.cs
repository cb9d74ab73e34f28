using Microsoft.Extensions.Logging;
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
    private readonly ILoggerFactory _loggerFactory;
    private readonly ClusterHealth _health = new();
    private volatile ClusterModel _model;

    public ClusterState(ClusterPlan plan, ILoggerFactory loggerFactory, RuntimeFindings? findings = null)
    {
        _loggerFactory = loggerFactory;
        _findings = findings ?? new RuntimeFindings();
        _model = new ClusterModel(plan, null, this, loggerFactory);
        _health.Recompute(_model.Endpoints);
        _model.StartHealthChecks(this, loggerFactory);
    }

    public ClusterModel Model => _model;

    private readonly RuntimeFindings _findings;

    /// <summary>A scope for a new model's run-time findings; closed when the model is replaced.</summary>
    public IRuntimeFindings NewFindingsScope(string upstream) => _findings.For(upstream);

    public ClusterPlan Plan => _model.Plan;

    public CircuitBreakers Breakers { get; } = new();

    public IReadOnlyList<EndpointState> Endpoints => _model.Endpoints;

    public bool HasEndpoints => _model.Endpoints.Length > 0;

    /// <summary>
    /// Swaps in a model for <paramref name="plan"/> when it differs from the current one. Returns
    /// the replaced model, to dispose (what it did not hand over) once requests still using it
    /// have finished; null when nothing changed.
    /// </summary>
    public ClusterModel? Update(ClusterPlan plan)
    {
        var old = _model;
        if (old.Plan.Equals(plan))
        {
            return null;
        }
        old.StopHealthChecks();
        var next = new ClusterModel(plan, old, this, _loggerFactory);
        _model = next;
        // The new model's invokers have said again what is still true (taken-over connections too).
        _findings.Close(old.Findings);
        _health.Recompute(next.Endpoints);
        // Probes start once the model is published, so what they report applies to it.
        next.StartHealthChecks(this, _loggerFactory);
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
        _findings.Close(_model.Findings);
        return _model.DisposeAsync();
    }
}
