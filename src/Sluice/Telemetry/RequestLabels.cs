using Sluice.Plan;

namespace Sluice.Telemetry;

/// <summary>
/// The label values of one place a request can end up: a destination of a route, a route
/// answered without a destination (CORS preflight), or a virtual service with no matching route.
/// Built with the active plan, so the number of label sets is bounded by configuration, never by
/// traffic. An empty value means "none": a request for an unknown host has every label empty.
/// </summary>
internal sealed class RequestLabels(string virtualService, string route, string upstream, string function)
{
    public string VirtualService { get; } = virtualService;

    /// <summary><see cref="RoutePlan.Name"/> (<c>vs/index</c>), never the request path.</summary>
    public string Route { get; } = route;

    public string Upstream { get; } = upstream;

    public string Function { get; } = function;

    /// <summary>The metric children for these labels, bound on first use by the server's metrics.</summary>
    internal BoundMetrics? Metrics { get; set; }

    /// <summary>These labels as a DogStatsD tag suffix, made on first use.</summary>
    internal string? StatsdTags { get; set; }

    public static RequestLabels ForHost(VirtualHostPlan host) => new(host.Name, "", "", "");

    public static RequestLabels ForRoute(VirtualHostPlan host, RoutePlan route) => new(host.Name, route.Name, "", "");

    public static RequestLabels ForDestination(VirtualHostPlan host, RoutePlan route, DestinationPlan destination) =>
        new(host.Name, route.Name, destination.Cluster ?? "", destination.Function ?? "");
}
