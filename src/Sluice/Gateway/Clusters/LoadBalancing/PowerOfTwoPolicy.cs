namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>Two random endpoints, the one with fewer requests in flight: least-request's spread at random's cost.</summary>
internal sealed class PowerOfTwoPolicy : ILoadBalancingPolicy
{
    public EndpointState Pick(EndpointState[] candidates)
    {
        var first = candidates[Random.Shared.Next(candidates.Length)];
        var second = candidates[Random.Shared.Next(candidates.Length)];
        return second.ActiveRequests < first.ActiveRequests ? second : first;
    }
}
