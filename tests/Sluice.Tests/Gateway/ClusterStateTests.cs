using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Gateway.Clusters;
using Sluice.Gateway.Clusters.LoadBalancing;
using Sluice.Plan;

namespace Sluice.Tests.Gateway;

/// <summary>
/// One long-lived state per upstream, whose model is swapped on a change: what the change left
/// alone (client, endpoints, policy) is the same object in the new model.
/// </summary>
public sealed class ClusterStateTests
{
    private static readonly ClusterPlan Plan = new()
    {
        Name = "pool",
        Endpoints = new([new EndpointPlan("10.0.0.1", 80), new EndpointPlan("10.0.0.2", 80)]),
    };

    [Fact]
    public async Task An_equal_plan_keeps_the_model()
    {
        await using var state = new ClusterState(Plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        var model = state.Model;
        Assert.Null(state.Update(Plan with { }));
        Assert.Same(model, state.Model);
    }

    [Fact]
    public async Task A_function_or_balancing_change_keeps_client_and_endpoints()
    {
        await using var state = new ClusterState(Plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        var first = state.Model;

        var replaced = state.Update(Plan with { Functions = new([new FunctionPlan("extra")]) });
        Assert.Same(first, replaced);
        var second = state.Model;
        Assert.Same(first.Client, second.Client);
        Assert.Equal(first.Endpoints, second.Endpoints);
        Assert.Same(first.Policy, second.Policy);

        state.Update(Plan with { LoadBalancing = LoadBalancingPolicy.LeastRequest });
        Assert.Same(first.Client, state.Model.Client);
        Assert.Equal(first.Endpoints, state.Model.Endpoints);
        Assert.IsType<LeastRequestPolicy>(state.Model.Policy);
    }

    [Fact]
    public async Task A_transport_change_makes_a_new_client_but_keeps_endpoints_by_address()
    {
        await using var state = new ClusterState(Plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        var first = state.Model;
        state.Update(Plan with
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            Endpoints = new([new EndpointPlan("10.0.0.2", 80), new EndpointPlan("10.0.0.3", 80)]),
        });
        Assert.NotSame(first.Client, state.Model.Client);
        Assert.Same(first.Endpoints[1], state.Model.Endpoints[0]);
        Assert.DoesNotContain(state.Model.Endpoints[1], first.Endpoints);
    }

    [Fact]
    public async Task Unreachable_endpoints_are_skipped_unless_all_are()
    {
        await using var state = new ClusterState(Plan, ClusterServices.Standalone(NullLoggerFactory.Instance));
        state.SetReachable("10.0.0.1", 80, false);
        Assert.All(Enumerable.Range(0, 10).Select(_ => state.NextEndpoint()), e => Assert.Same(state.Endpoints[1], e));

        state.SetReachable("10.0.0.2", 80, false);
        Assert.Equal(2, Enumerable.Range(0, 10).Select(_ => state.NextEndpoint()).Distinct().Count());

        state.SetReachable("10.0.0.1", 80, true);
        Assert.All(Enumerable.Range(0, 10).Select(_ => state.NextEndpoint()), e => Assert.Same(state.Endpoints[0], e));
    }
}
