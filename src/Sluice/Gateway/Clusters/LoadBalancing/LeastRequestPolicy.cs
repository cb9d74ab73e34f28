namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>Gloo's <c>least_request</c>: the endpoint with the fewest requests in flight; ties take turns.</summary>
internal sealed class LeastRequestPolicy : ILoadBalancingPolicy
{
    private uint _turn;

    public EndpointState Pick(EndpointState[] candidates)
    {
        var fewest = int.MaxValue;
        var ties = 0;
        var first = candidates[0];
        foreach (var candidate in candidates)
        {
            var active = candidate.ActiveRequests;
            if (active < fewest)
            {
                (fewest, ties, first) = (active, 1, candidate);
            }
            else if (active == fewest)
            {
                ties++;
            }
        }
        var turn = (int)(Interlocked.Increment(ref _turn) % (uint)ties);
        foreach (var candidate in candidates)
        {
            if (candidate.ActiveRequests == fewest && turn-- == 0)
            {
                return candidate;
            }
        }
        // Counts moved between the two passes (requests run concurrently): the first pass's pick is fine.
        return first;
    }
}
