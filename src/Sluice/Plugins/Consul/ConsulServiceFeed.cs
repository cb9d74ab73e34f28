using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Plugins.Consul;

/// <summary>
/// The endpoints of a Consul service: its instances that carry every tag in <see cref="Tags"/>
/// and pass all their health checks, in each of <see cref="DataCenters"/> (empty: the agent's
/// own datacenter). A record, so a reload with the same spec keeps the running watch.
/// </summary>
public sealed record ConsulServiceFeed(string ServiceName, ValueList<string> Tags, ValueList<string> DataCenters) : IEndpointFeedSpec
{
    public string Describe()
    {
        var tags = Tags.Count == 0 ? "" : $" tagged {string.Join(",", Tags)}";
        var dataCenters = DataCenters.Count == 0 ? "" : $" in {string.Join(",", DataCenters)}";
        return $"consul service {ServiceName}{tags}{dataCenters}";
    }
}
