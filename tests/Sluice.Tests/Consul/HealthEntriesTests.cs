using System.Text.Json;
using Sluice.Consul;
using Sluice.Plan;

namespace Sluice.Tests.Consul;

/// <summary>Endpoints from the JSON of Consul's /v1/health/service answer (its documented shape).</summary>
public sealed class HealthEntriesTests
{
    [Fact]
    public void The_service_address_wins_and_the_node_address_stands_in_when_it_is_empty()
    {
        var endpoints = HealthEntries.Endpoints(JsonDocument.Parse("""
            [
              { "Node": { "Node": "n2", "Address": "10.0.0.2" }, "Service": { "ID": "b", "Address": "", "Port": 8080 }, "Checks": [] },
              { "Node": { "Node": "n1", "Address": "10.0.0.1" }, "Service": { "ID": "a", "Address": "172.16.0.9", "Port": 9090 }, "Checks": [] },
              { "Node": { "Node": "n3", "Address": "10.0.0.3" }, "Service": { "ID": "c", "Port": 8080 }, "Checks": [] },
              { "Node": { "Node": "n3", "Address": "10.0.0.3" }, "Service": { "ID": "c2", "Port": 8080 }, "Checks": [] },
              { "Node": { "Node": "n4", "Address": "::1" }, "Service": { "ID": "d", "Address": "[2001:db8::1]", "Port": 80 }, "Checks": [] }
            ]
            """).RootElement);

        // Sorted, and an instance listed twice at one address is one endpoint.
        Assert.Equal(
            [new EndpointPlan("10.0.0.2", 8080), new EndpointPlan("10.0.0.3", 8080), new EndpointPlan("172.16.0.9", 9090), new EndpointPlan("2001:db8::1", 80)],
            endpoints);
    }

    [Fact]
    public void An_instance_without_a_port_or_any_address_is_left_out()
    {
        var endpoints = HealthEntries.Endpoints(JsonDocument.Parse("""
            [
              { "Node": { "Address": "10.0.0.1" }, "Service": { "Address": "", "Port": 0 } },
              { "Node": { "Address": "" }, "Service": { "Address": "", "Port": 8080 } }
            ]
            """).RootElement);
        Assert.Empty(endpoints);
    }

    [Fact]
    public void An_answer_that_is_not_a_list_is_an_error()
    {
        var error = Assert.Throws<ConsulException>(() => HealthEntries.Endpoints(JsonDocument.Parse("{}").RootElement));
        Assert.Contains("not a JSON array", error.Message);
    }
}
