using Sluice.Api;

namespace Sluice.Plan;

/// <summary>
/// What the gateway serves: virtual hosts with compiled routes, and clusters. Built once per
/// config change by the translator and swapped in whole; requests only read it.
/// </summary>
public sealed record ProxyPlan
{
    public static readonly ProxyPlan Empty = new();

    public ValueList<VirtualHostPlan> VirtualHosts { get; init; } = ValueList<VirtualHostPlan>.Empty;

    public ValueList<ClusterPlan> Clusters { get; init; } = ValueList<ClusterPlan>.Empty;
}
