using System.Collections.Frozen;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters.LoadBalancing;

/// <summary>The policies by the name the plan gives (<see cref="LoadBalancingPolicy"/>). A new policy is one class and one line here.</summary>
internal static class LoadBalancingPolicies
{
    private static readonly FrozenDictionary<LoadBalancingPolicy, Func<ILoadBalancingPolicy>> ByName = new Dictionary<LoadBalancingPolicy, Func<ILoadBalancingPolicy>>
    {
        [LoadBalancingPolicy.RoundRobin] = () => new RoundRobinPolicy(),
        [LoadBalancingPolicy.LeastRequest] = () => new LeastRequestPolicy(),
        [LoadBalancingPolicy.Random] = () => new RandomPolicy(),
        [LoadBalancingPolicy.PowerOfTwo] = () => new PowerOfTwoPolicy(),
    }.ToFrozenDictionary();

    public static ILoadBalancingPolicy Create(LoadBalancingPolicy name) =>
        ByName.TryGetValue(name, out var create) ? create() : throw new ArgumentOutOfRangeException(nameof(name), name, "no such load-balancing policy");
}
