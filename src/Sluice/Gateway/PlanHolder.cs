using Microsoft.Extensions.Logging;
using Sluice.Gateway.Clusters;
using Sluice.Gateway.Endpoints;

namespace Sluice.Gateway;

/// <summary>
/// Holds the active plan. Swapping is one reference write; readers never lock. Retired cluster
/// clients are disposed only after requests that might still use them have had time to finish.
/// Endpoint feeds update clusters in place (<see cref="ClusterState"/>), without a new plan.
/// </summary>
internal sealed class PlanHolder
{
    private readonly ClusterServices _clusters;

    /// <param name="endpointsUpdated">Counts an endpoint-only update of the named upstream.</param>
    /// <param name="findings">What invokers learn at run time, for the statuses; null keeps them to this holder.</param>
    public PlanHolder(ILoggerFactory loggerFactory, EndpointSources? endpointSources = null, Action<string>? endpointsUpdated = null, RuntimeFindings? findings = null)
    {
        _clusters = new ClusterServices(loggerFactory, endpointSources ?? EndpointSources.None, endpointsUpdated ?? (static _ => { }), model => _ = RetireAsync([model]), findings ?? new RuntimeFindings());
    }

    private static readonly TimeSpan RetireDelay = TimeSpan.FromMinutes(2);

    private volatile ActivePlan _current = ActivePlan.Empty;
    private readonly TaskCompletionSource _firstPlan = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActivePlan Current => _current;

    /// <summary>True once a plan built from configuration is live (readiness).</summary>
    public bool IsReady => _firstPlan.Task.IsCompleted;

    public Task FirstPlan => _firstPlan.Task;

    /// <summary>Retired pieces still waiting out their delay; disposed at once on shutdown.</summary>
    private readonly HashSet<IAsyncDisposable> _retiring = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stopping = new();

    private async Task RetireAsync(IReadOnlyList<IAsyncDisposable> retired)
    {
        lock (_retiring)
        {
            _retiring.UnionWith(retired);
        }
        await Task.Delay(RetireDelay, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var state in retired)
        {
            bool mine;
            lock (_retiring)
            {
                mine = _retiring.Remove(state);
            }
            if (mine)
            {
                await state.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// On shutdown, the live clusters' invokers (connections such as NATS) are closed, and so are
    /// retired ones still waiting out their delay.
    /// </summary>
    public async ValueTask DisposeClustersAsync()
    {
        var current = _current;
        _current = ActivePlan.Empty;
        await _stopping.CancelAsync();
        IAsyncDisposable[] retiring;
        lock (_retiring)
        {
            retiring = [.. _retiring];
            _retiring.Clear();
        }
        foreach (var retired in retiring)
        {
            await retired.DisposeAsync();
        }
        foreach (var cluster in current.Clusters.Values)
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>A controller serves no traffic; it is ready once it has judged a snapshot.</summary>
    public void MarkReady() => _firstPlan.TrySetResult();

    public void Apply(Sluice.Plan.ProxyPlan plan)
    {
        var (active, retired) = ActivePlan.Build(plan, _current, _clusters);
        _current = active;
        _firstPlan.TrySetResult();
        if (retired.Count > 0)
        {
            _ = RetireAsync(retired);
        }
    }
}
