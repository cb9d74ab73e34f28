namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>Gloo's <c>round_robin</c> (the default): each endpoint in turn; a retry also moves on to the next one.</summary>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private uint _next;

    public EndpointState Pick(EndpointState[] candidates) => candidates[Interlocked.Increment(ref _next) % (uint)candidates.Length];
}
