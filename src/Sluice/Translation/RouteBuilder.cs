using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// The mutable side of a <see cref="RoutePlan"/> while route plugins fill it in; frozen into the
/// plan when every plugin has run.
/// </summary>
public sealed class RouteBuilder
{
    /// <summary>How the route matches (set before plugins run).</summary>
    public RouteMatchPlan? Match { get; init; }

    /// <summary>The route's own redirect answer, if it has one (set before plugins run).</summary>
    public RedirectPlan? Redirect { get; init; }

    /// <summary>The route's own fixed answer, if it has one (set before plugins run).</summary>
    public DirectResponsePlan? DirectResponse { get; init; }

    public string? HostRewrite { get; set; }

    public TimeSpan? Timeout { get; set; }

    public RetryPlan? Retries { get; set; }

    public CorsPlan? Cors { get; set; }

    public List<HeaderValuePlan> AddRequestHeaders { get; } = [];

    public List<HeaderValuePlan> AddResponseHeaders { get; } = [];

    public List<string> RemoveResponseHeaders { get; } = [];

    /// <summary>Compiled route data for invokers and filters, by type (see <see cref="RoutePlan.Data"/>).</summary>
    public RouteDataBuilder Data { get; } = new();

    /// <summary>Filters for the route's pipeline (see <see cref="RoutePlan.Filters"/>).</summary>
    public List<IRouteFilter> Filters { get; } = [];

    /// <summary>Checks before the host's routes are matched (see <see cref="RoutePlan.Gates"/>).</summary>
    public List<IRequestGate> Gates { get; } = [];

    internal RoutePlan Build(string name, RouteMatchPlan match, ValueList<DestinationPlan> destinations, string? prefixRewrite) => new()
    {
        Name = name,
        Match = match,
        Destinations = destinations,
        PrefixRewrite = prefixRewrite,
        HostRewrite = HostRewrite,
        Timeout = Timeout,
        Retries = Retries,
        Cors = Cors,
        AddRequestHeaders = new(AddRequestHeaders),
        AddResponseHeaders = new(AddResponseHeaders),
        RemoveResponseHeaders = new(RemoveResponseHeaders),
        Data = Data.Build(),
        Filters = new(Filters),
        Gates = new(Gates),
        Redirect = Redirect,
        DirectResponse = DirectResponse,
    };
}
