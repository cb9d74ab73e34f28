using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Gateway.Clusters;
using Sluice.Gateway.Endpoints;
using Sluice.Plan;

namespace Sluice.Tests.Gateway;

/// <summary>
/// The endpoint-only update seam: a feed's deliveries swap the cluster's model in place, keeping
/// its client (connection pool), policy, breakers and the endpoints that stay; nothing is
/// translated, and each swap is counted.
/// </summary>
public sealed class EndpointFeedTests
{
    private static readonly ClusterPlan Fed = new()
    {
        Name = "pets",
        Endpoints = ValueList<EndpointPlan>.Empty,
        EndpointFeed = new TestFeed("pets"),
    };

    private static ValueList<EndpointPlan> Addresses(params int[] lastOctets) =>
        new(lastOctets.Select(o => new EndpointPlan($"10.0.0.{o}", 8080)));

    [Fact]
    public async Task A_delivery_swaps_endpoints_and_keeps_client_policy_breakers_and_staying_endpoints()
    {
        var source = new TestSource();
        var counted = new List<string>();
        var retired = new List<IAsyncDisposable>();
        await using var state = new ClusterState(Fed, new ClusterServices(NullLoggerFactory.Instance, new EndpointSources([source]), counted.Add, retired.Add));
        Assert.False(state.HasEndpoints);
        var first = state.Model;
        var breakers = state.Breakers;

        source.Deliver("pets", Addresses(1, 2));
        var second = state.Model;
        Assert.Equal(["10.0.0.1", "10.0.0.2"], second.Endpoints.Select(e => e.Plan.Host));
        Assert.Same(first.Client, second.Client);
        Assert.Same(first.Policy, second.Policy);
        Assert.Same(breakers, state.Breakers);
        Assert.Equal([first], retired);

        source.Deliver("pets", Addresses(2, 3));
        Assert.Same(second.Endpoints[1], state.Model.Endpoints[0]);
        Assert.Same(first.Client, state.Model.Client);
        Assert.Equal(["pets", "pets"], counted);

        // The same list again is no change: no swap, not counted.
        source.Deliver("pets", Addresses(2, 3));
        Assert.Equal(2, counted.Count);
    }

    [Fact]
    public async Task A_new_plan_with_the_same_feed_keeps_the_subscription_and_the_delivered_endpoints()
    {
        var source = new TestSource();
        await using var state = new ClusterState(Fed, new ClusterServices(NullLoggerFactory.Instance, new EndpointSources([source]), _ => { }, _ => { }));
        source.Deliver("pets", Addresses(1));

        state.Update(Fed with { LoadBalancing = LoadBalancingPolicy.LeastRequest });
        Assert.Equal(1, source.Subscriptions);
        Assert.Equal(["10.0.0.1"], state.Model.Endpoints.Select(e => e.Plan.Host));
    }

    [Fact]
    public async Task A_changed_feed_resubscribes_and_ignores_the_old_subscription()
    {
        var source = new TestSource();
        await using var state = new ClusterState(Fed, new ClusterServices(NullLoggerFactory.Instance, new EndpointSources([source]), _ => { }, _ => { }));
        source.Deliver("pets", Addresses(1));

        state.Update(Fed with { EndpointFeed = new TestFeed("cats") });
        Assert.Equal(2, source.Subscriptions);
        Assert.Equal(1, source.Cancelled);
        Assert.False(state.HasEndpoints);

        source.DeliverToAll(Addresses(7));
        source.Deliver("cats", Addresses(9));
        Assert.Equal(["10.0.0.9"], state.Model.Endpoints.Select(e => e.Plan.Host));
    }

    [Fact]
    public async Task A_stopped_feed_delivers_nothing_more()
    {
        var source = new TestSource();
        await using var state = new ClusterState(Fed, new ClusterServices(NullLoggerFactory.Instance, new EndpointSources([source]), _ => { }, _ => { }));
        source.Deliver("pets", Addresses(1));
        state.StopFeed();
        Assert.Equal(1, source.Cancelled);

        source.DeliverToAll(Addresses(2));
        Assert.Equal(["10.0.0.1"], state.Model.Endpoints.Select(e => e.Plan.Host));
    }

    [Fact]
    public async Task Without_a_source_for_the_feed_the_cluster_stays_empty()
    {
        await using var state = new ClusterState(Fed, ClusterServices.Standalone(NullLoggerFactory.Instance));
        Assert.False(state.HasEndpoints);
    }

    private sealed record TestFeed(string Service) : IEndpointFeedSpec
    {
        public string Describe() => $"test service {Service}";
    }

    /// <summary>Delivers by hand; keeps every sink it was given, cancelled or not, to show the cluster ignores stale ones.</summary>
    private sealed class TestSource : IEndpointSource
    {
        private readonly List<(string Service, IEndpointSink Sink)> _sinks = [];

        public int Subscriptions => _sinks.Count;

        public int Cancelled { get; private set; }

        public bool Serves(IEndpointFeedSpec feed) => feed is TestFeed;

        public IDisposable Subscribe(IEndpointFeedSpec feed, IEndpointSink sink)
        {
            _sinks.Add((((TestFeed)feed).Service, sink));
            return new Cancel(this);
        }

        public void Deliver(string service, ValueList<EndpointPlan> endpoints)
        {
            foreach (var (_, sink) in _sinks.Where(s => s.Service == service))
            {
                sink.Publish(endpoints);
            }
        }

        public void DeliverToAll(ValueList<EndpointPlan> endpoints)
        {
            foreach (var (_, sink) in _sinks)
            {
                sink.Publish(endpoints);
            }
        }

        private sealed class Cancel(TestSource source) : IDisposable
        {
            public void Dispose() => source.Cancelled++;
        }
    }
}
