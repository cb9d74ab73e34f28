using Microsoft.Extensions.Logging;
using Sluice.Plan;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>
/// The plan being served, bound to run-time state. Immutable: a reload builds a new one and swaps
/// it in; requests in flight finish on the one they started with.
/// </summary>
internal sealed class ActivePlan
{
    public static readonly ActivePlan Empty = new(ProxyPlan.Empty, new HostTable([]), new Dictionary<string, ClusterState>());

    private ActivePlan(ProxyPlan plan, HostTable hosts, IReadOnlyDictionary<string, ClusterState> clusters)
    {
        Plan = plan;
        Hosts = hosts;
        Clusters = clusters;
    }

    public ProxyPlan Plan { get; }

    public HostTable Hosts { get; }

    public IReadOnlyDictionary<string, ClusterState> Clusters { get; }

    /// <summary>
    /// Binds a plan to run-time state, keeping every cluster state (and its connection pool) whose
    /// plan did not change. Returns the states the new plan no longer uses.
    /// </summary>
    public static (ActivePlan Plan, IReadOnlyList<ClusterState> Retired) Build(ProxyPlan plan, ActivePlan previous, ILoggerFactory loggerFactory)
    {
        var clusters = new Dictionary<string, ClusterState>(StringComparer.Ordinal);
        foreach (var cluster in plan.Clusters)
        {
            clusters[cluster.Name] = previous.Clusters.TryGetValue(cluster.Name, out var old) && old.Plan.Equals(cluster)
                ? old
                : new ClusterState(cluster, loggerFactory);
        }
        var retired = previous.Clusters.Values.Where(c => !clusters.TryGetValue(c.Plan.Name, out var kept) || kept != c).ToList();

        var hosts = plan.VirtualHosts.Select(host => new VirtualHostState(host, host.Routes.Select(route => new RouteState(
            route,
            route.Destinations.Select(d => new DestinationState(
                d, d.Cluster is null ? null : clusters[d.Cluster], RequestLabels.ForDestination(host, route, d))).ToArray(),
            RequestLabels.ForRoute(host, route))).ToArray(), RequestLabels.ForHost(host)));
        return (new ActivePlan(plan, new HostTable(hosts), clusters), retired);
    }
}
