using System.Text.RegularExpressions;
using Sluice.Api;

namespace Sluice.Plan;

/// <summary>
/// A route's match, with its regexes compiled (linear-time engine) so a request only runs them.
/// Everything listed must match.
/// </summary>
public sealed record RouteMatchPlan
{
    public static readonly RouteMatchPlan Any = new() { PathKind = PathMatchKind.Prefix, Path = "/" };

    public required PathMatchKind PathKind { get; init; }

    /// <summary>The prefix or exact path; for regex paths, the pattern as written.</summary>
    public required string Path { get; init; }

    /// <summary>Anchored (full-match) regex when <see cref="PathKind"/> is Regex.</summary>
    public Regex? PathRegex { get; init; }

    public ValueList<ValueMatchPlan> Headers { get; init; } = ValueList<ValueMatchPlan>.Empty;

    public ValueList<ValueMatchPlan> QueryParams { get; init; } = ValueList<ValueMatchPlan>.Empty;

    /// <summary>Upper-case methods; empty = any.</summary>
    public ValueList<string> Methods { get; init; } = ValueList<string>.Empty;

    /// <summary>Event type for an event route (path <c>/events</c>); null for request routes.</summary>
    public string? EventType { get; init; }
}
