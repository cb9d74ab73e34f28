using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Gateway.Clusters;
using Sluice.Plan;

namespace Sluice.Tests.Gateway;

/// <summary>
/// Endpoint choice with known in-flight counts: endpoint 0 is busy (10 requests), 1 and 2 are idle.
/// </summary>
public sealed class LoadBalancingPolicyTests
{
    private const int Draws = 9000;

    private static Dictionary<int, int> Draw(LoadBalancingPolicy policy)
    {
        var plan = new ClusterPlan
        {
            Name = "pool",
            Endpoints = new([new EndpointPlan("10.0.0.1", 80), new EndpointPlan("10.0.0.2", 80), new EndpointPlan("10.0.0.3", 80)]),
            LoadBalancing = policy,
        };
        var cluster = new ClusterState(plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        for (var i = 0; i < 10; i++)
        {
            cluster.Endpoints[0].RequestStarted();
        }
        var counts = new Dictionary<int, int> { [0] = 0, [1] = 0, [2] = 0 };
        for (var i = 0; i < Draws; i++)
        {
            var endpoint = cluster.NextEndpoint();
            counts[cluster.Endpoints.ToList().IndexOf(endpoint)]++;
        }
        return counts;
    }

    [Fact]
    public void Round_robin_ignores_load()
    {
        Assert.All(Draw(LoadBalancingPolicy.RoundRobin).Values, count => Assert.Equal(Draws / 3, count));
    }

    [Fact]
    public void Least_request_never_picks_the_busy_endpoint_and_spreads_ties()
    {
        var counts = Draw(LoadBalancingPolicy.LeastRequest);
        Assert.Equal(0, counts[0]);
        Assert.InRange(counts[1], Draws / 2 - 200, Draws / 2 + 200);
    }

    [Fact]
    public void Power_of_two_picks_the_busy_endpoint_only_when_both_draws_land_on_it()
    {
        // P = 1/9: 1,000 of 9,000 expected, sd ≈ 30; ±200 is over six deviations. Random would give 3,000.
        Assert.InRange(Draw(LoadBalancingPolicy.PowerOfTwo)[0], 800, 1200);
    }

    [Fact]
    public void Random_ignores_load()
    {
        // P = 1/3: 3,000 expected, sd ≈ 45; ±300 is over six deviations.
        Assert.InRange(Draw(LoadBalancingPolicy.Random)[0], 2700, 3300);
    }

    [Fact]
    public void Unhealthy_endpoints_are_skipped_unless_all_are()
    {
        var plan = new ClusterPlan { Name = "pool", Endpoints = new([new EndpointPlan("10.0.0.1", 80), new EndpointPlan("10.0.0.2", 80)]) };
        var cluster = new ClusterState(plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        cluster.Endpoints[0].IsHealthy = false;
        cluster.HealthChanged();
        Assert.All(Enumerable.Range(0, 10).Select(_ => cluster.NextEndpoint()), e => Assert.Same(cluster.Endpoints[1], e));

        cluster.Endpoints[1].IsHealthy = false;
        cluster.HealthChanged();
        Assert.Equal(2, Enumerable.Range(0, 10).Select(_ => cluster.NextEndpoint()).Distinct().Count());
    }
}
