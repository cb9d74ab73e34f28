using Sluice.Api;

namespace Sluice.Plan;

public sealed record VirtualHostPlan
{
    /// <summary>The virtual service this host came from.</summary>
    public required string Name { get; init; }

    /// <summary>Lower-case domains this host owns: exact names, <c>*.x</c>/<c>*-x</c> wildcards, <c>*</c>.</summary>
    public required ValueList<string> Domains { get; init; }

    public required ValueList<RoutePlan> Routes { get; init; }

    /// <summary>Set by <c>ssl_config</c>: plain-HTTP requests are redirected to HTTPS, never served.</summary>
    public bool RequireTls { get; init; }
}
