namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>Gloo's <c>random</c>: any candidate, ignoring load.</summary>
internal sealed class RandomPolicy : ILoadBalancingPolicy
{
    public EndpointState Pick(EndpointState[] candidates) => candidates[Random.Shared.Next(candidates.Length)];
}
