namespace Sluice.Plan;

public enum LoadBalancingPolicy
{
    RoundRobin,

    /// <summary>The endpoint with the fewest requests in flight (ties: the first).</summary>
    LeastRequest,

    Random,

    /// <summary>Two random endpoints, the one with fewer requests in flight: least-request's spread at random's cost.</summary>
    PowerOfTwo,
}
