using System.Text.Json.Nodes;
using Sluice.Kubernetes.Endpoints;
using Sluice.Plan;
using static Sluice.IntegrationTests.Kubernetes.KubernetesObjects;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Which endpoints a Service port has, from the Service and EndpointSlices as the API reference
/// (discovery.k8s.io/v1) defines them; the pure part of the Kubernetes endpoint source.
/// </summary>
public sealed class ServicePortEndpointsTests
{
    private static readonly JsonObject OnePort = Service("shop", "pets", null, new ServicePort(null, 80, 8080));

    private static JsonObject Slice(IEnumerable<SlicePort> ports, params PodEndpoint[] endpoints) =>
        EndpointSlice("shop", "pets-1", "pets", ports, endpoints);

    [Fact]
    public void Without_service_port_the_only_port_is_used_and_its_numeric_target_fills_a_slice_port_without_number()
    {
        var slice = Slice([new SlicePort("", 8080)], new PodEndpoint("10.0.0.2"), new PodEndpoint("10.0.0.1"));
        Assert.Equal([new EndpointPlan("10.0.0.1", 8080), new EndpointPlan("10.0.0.2", 8080)], ServicePortEndpoints.Resolve(OnePort, [slice], null));

        slice["ports"]![0]!.AsObject().Remove("port");
        Assert.Equal([new EndpointPlan("10.0.0.1", 8080), new EndpointPlan("10.0.0.2", 8080)], ServicePortEndpoints.Resolve(OnePort, [slice], null));
    }

    [Fact]
    public void Several_ports_without_service_port_or_an_unknown_port_give_no_endpoints()
    {
        var service = Service("shop", "pets", null, new ServicePort("a", 80, 8080), new ServicePort("b", 81, 8081));
        var slice = Slice([new SlicePort("a", 8080), new SlicePort("b", 8081)], new PodEndpoint("10.0.0.1"));
        Assert.Empty(ServicePortEndpoints.Resolve(service, [slice], null));
        Assert.Empty(ServicePortEndpoints.Resolve(service, [slice], 82));
        Assert.Equal([new EndpointPlan("10.0.0.1", 8081)], ServicePortEndpoints.Resolve(service, [slice], 81));
    }

    [Fact]
    public void Only_ready_endpoints_that_are_not_terminating_count_and_a_missing_condition_means_ready()
    {
        var slice = Slice([new SlicePort("", 8080)],
            new PodEndpoint("10.0.0.1"),
            new PodEndpoint("10.0.0.2", Ready: false),
            new PodEndpoint("10.0.0.3", Terminating: true),
            new PodEndpoint("10.0.0.4"));
        // A Service publishing not-ready addresses reports a terminating pod ready: still drained.
        slice["endpoints"]![2]!["conditions"]!["ready"] = true;
        slice["endpoints"]![3]!.AsObject().Remove("conditions");
        Assert.Equal([new EndpointPlan("10.0.0.1", 8080), new EndpointPlan("10.0.0.4", 8080)], ServicePortEndpoints.Resolve(OnePort, [slice], 80));
    }

    [Fact]
    public void An_endpoint_in_two_slices_counts_once_and_a_missing_service_gives_none()
    {
        var first = Slice([new SlicePort("", 8080)], new PodEndpoint("10.0.0.1"));
        var second = Slice([new SlicePort("", 8080)], new PodEndpoint("10.0.0.1"));
        Assert.Equal([new EndpointPlan("10.0.0.1", 8080)], ServicePortEndpoints.Resolve(OnePort, [first, second], 80));
        Assert.Empty(ServicePortEndpoints.Resolve(null, [first], 80));
    }
}
