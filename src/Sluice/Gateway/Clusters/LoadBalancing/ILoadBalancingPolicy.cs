namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>
/// Picks one endpoint among the candidates (the healthy ones, or all in panic mode). One small
/// class per Gloo policy, made once per cluster model and kept across reloads while the policy
/// stays the same, so its counters (round robin's turn) carry on.
/// </summary>
internal interface ILoadBalancingPolicy
{
    /// <summary><paramref name="candidates"/> holds at least two endpoints.</summary>
    EndpointState Pick(EndpointState[] candidates);
}
