using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>A route destination bound to its cluster, or to the answer given instead of one.</summary>
internal sealed class DestinationState(DestinationPlan plan, ClusterState? cluster)
{
    public DestinationPlan Plan { get; } = plan;

    /// <summary>Null when <see cref="DestinationPlan.Answer"/> is given instead.</summary>
    public ClusterState? Cluster { get; } = cluster;
}
