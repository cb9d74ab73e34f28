using Sluice.Gateway.Clusters;
using Sluice.Plan;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>A route destination bound to its cluster, or to the answer given instead of one.</summary>
internal sealed class DestinationState(DestinationPlan plan, ClusterState? cluster, RequestLabels labels)
{
    public DestinationPlan Plan { get; } = plan;

    /// <summary>Null when <see cref="DestinationPlan.Answer"/> is given instead.</summary>
    public ClusterState? Cluster { get; } = cluster;

    /// <summary>A plugin's invoker for this destination; null means plain forwarding.</summary>
    public IInvoker? Invoker { get; } = cluster?.Model.InvokerFor(plan.Function);

    /// <summary>Metric labels of requests sent here.</summary>
    public RequestLabels Labels { get; } = labels;
}
