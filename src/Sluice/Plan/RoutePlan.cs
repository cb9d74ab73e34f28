using System.Text.RegularExpressions;
using Sluice.Api;

namespace Sluice.Plan;

/// <summary>One route, ready to serve: how it matches, where it goes, what it changes on the way.</summary>
public sealed record RoutePlan
{
    /// <summary>Envoy's default route timeout, which Gloo users relied on.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Stable, bounded name for logs and metrics: <c>&lt;virtual service&gt;/&lt;index&gt;</c>.</summary>
    public required string Name { get; init; }

    public required RouteMatchPlan Match { get; init; }

    /// <summary>Weighted choices; one element for a single destination; none when the route answers by itself.</summary>
    public required ValueList<DestinationPlan> Destinations { get; init; }

    /// <summary>Answer with a redirect instead of going to a destination.</summary>
    public RedirectPlan? Redirect { get; init; }

    /// <summary>Answer with a fixed response instead of going to a destination.</summary>
    public DirectResponsePlan? DirectResponse { get; init; }

    public string? PrefixRewrite { get; init; }

    /// <summary>Path rewrite by regex (every match replaced); never set together with <see cref="PrefixRewrite"/>.</summary>
    public Regex? RegexRewrite { get; init; }

    /// <summary>The replacement for <see cref="RegexRewrite"/>; <c>$1</c> names a group.</summary>
    public string? RegexSubstitution { get; init; }

    /// <summary>Literal Host header for the upstream (extension <c>host_rewrite</c>).</summary>
    public string? HostRewrite { get; init; }

    /// <summary>Total time allowed for the upstream to answer; null = the gateway default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Retry policy (<c>retries</c>, or Gloo's <c>max_retries</c> shorthand); null = no retries.</summary>
    public RetryPlan? Retries { get; init; }

    public CorsPlan? Cors { get; init; }

    public ValueList<HeaderValuePlan> AddRequestHeaders { get; init; } = ValueList<HeaderValuePlan>.Empty;

    public ValueList<HeaderValuePlan> AddResponseHeaders { get; init; } = ValueList<HeaderValuePlan>.Empty;

    public ValueList<string> RemoveResponseHeaders { get; init; } = ValueList<string>.Empty;

    /// <summary>
    /// What route plugins compiled from their <c>extensions</c> keys for invokers and filters to
    /// read (e.g. REST parameter extraction), by type.
    /// </summary>
    public RouteData Data { get; init; } = RouteData.Empty;

    /// <summary>
    /// What route plugins contributed to the route's pipeline, in the order they added them (the
    /// gateway orders them by stage and adds the destination's upstream call as the action).
    /// </summary>
    public ValueList<IRouteFilter> Filters { get; init; } = ValueList<IRouteFilter>.Empty;

    /// <summary>Checks to run before the host's routes are matched, when this route is among them (see <see cref="IRequestGate"/>).</summary>
    public ValueList<IRequestGate> Gates { get; init; } = ValueList<IRequestGate>.Empty;
}
