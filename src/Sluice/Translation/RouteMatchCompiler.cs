using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Compiles a route's matcher once per config change. Regexes use the linear-time engine, so
/// no request can make matching slow, and are anchored: a path regex must match the whole path.
/// </summary>
internal static class RouteMatchCompiler
{
    /// <summary>Gloo's event routes all live on this path.</summary>
    public const string EventsPath = "/events";

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public static RouteMatchPlan? Compile(Route route, string field, Diagnostics diagnostics)
    {
        if (route.RequestMatcher is not null && route.EventMatcher is not null)
        {
            diagnostics.Error(field, "must specify only one of 'request_matcher' and 'event_matcher'");
            return null;
        }
        if (route.EventMatcher is { } events)
        {
            if (string.IsNullOrWhiteSpace(events.EventType))
            {
                diagnostics.Error($"{field}.event_matcher.event_type", "must specify event_type");
                return null;
            }
            return new RouteMatchPlan { PathKind = PathMatchKind.Exact, Path = EventsPath, EventType = events.EventType };
        }
        if (route.RequestMatcher is not { } matcher)
        {
            diagnostics.Error(field, "must specify either 'request_matcher' or 'event_matcher'");
            return null;
        }

        field += ".request_matcher";
        var paths = new[] { matcher.PathPrefix, matcher.PathExact, matcher.PathRegex }.Count(p => p is not null);
        if (paths > 1)
        {
            diagnostics.Error(field, "must specify at most one of 'path_prefix', 'path_exact' and 'path_regex'");
            return null;
        }

        var plan = matcher switch
        {
            { PathExact: { } exact } => PathPlan(PathMatchKind.Exact, exact, $"{field}.path_exact", diagnostics),
            { PathRegex: { } regex } => RegexPathPlan(regex, $"{field}.path_regex", diagnostics),
            _ => PathPlan(PathMatchKind.Prefix, matcher.PathPrefix ?? "/", $"{field}.path_prefix", diagnostics),
        };
        if (plan is null)
        {
            return null;
        }

        var methods = new List<string>();
        foreach (var verb in matcher.Verbs)
        {
            if (verb.Length == 0 || !verb.All(char.IsAsciiLetter))
            {
                diagnostics.Error($"{field}.verbs", $"'{verb}' is not an HTTP method");
            }
            methods.Add(verb.ToUpperInvariant());
        }

        return plan with
        {
            Headers = ValueMatches(matcher.Headers, $"{field}.headers", lowerCaseNames: true, diagnostics),
            QueryParams = ValueMatches(matcher.QueryParams, $"{field}.query_params", lowerCaseNames: false, diagnostics),
            Methods = new(methods.Distinct()),
        };
    }

    private static RouteMatchPlan? PathPlan(PathMatchKind kind, string path, string field, Diagnostics diagnostics)
    {
        if (!path.StartsWith('/'))
        {
            diagnostics.Error(field, $"'{path}' must start with '/'");
            return null;
        }
        return new RouteMatchPlan { PathKind = kind, Path = path };
    }

    private static RouteMatchPlan? RegexPathPlan(string pattern, string field, Diagnostics diagnostics)
    {
        var regex = CompileAnchored(pattern, field, diagnostics);
        return regex is null ? null : new RouteMatchPlan { PathKind = PathMatchKind.Regex, Path = pattern, PathRegex = regex };
    }

    /// <summary>
    /// Gloo's rules for header and query values: <c>""</c> means present, a value containing
    /// <c>.*</c> is a regex, anything else must be equal.
    /// </summary>
    private static ValueList<ValueMatchPlan> ValueMatches(ValueMap conditions, string field, bool lowerCaseNames, Diagnostics diagnostics)
    {
        var plans = new List<ValueMatchPlan>();
        foreach (var (name, value) in conditions)
        {
            var key = lowerCaseNames ? name.ToLowerInvariant() : name;
            if (value.Length == 0)
            {
                plans.Add(new ValueMatchPlan(key, ValueMatchKind.Present, value));
            }
            else if (value.Contains(".*", StringComparison.Ordinal))
            {
                if (CompileAnchored(value, $"{field}.{name}", diagnostics) is { } regex)
                {
                    plans.Add(new ValueMatchPlan(key, ValueMatchKind.Regex, value) { Regex = regex });
                }
            }
            else
            {
                plans.Add(new ValueMatchPlan(key, ValueMatchKind.Exact, value));
            }
        }
        return new(plans);
    }

    /// <summary>What is wrong with the user's own pattern, with offsets into it (not into a wrapper).</summary>
    internal static string RegexProblem(string pattern, RegexParseException wrapped)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None);
        }
        catch (RegexParseException e)
        {
            // "Invalid pattern '(' at offset 1. Not enough )'s." -> "Not enough )'s (at offset 1)".
            var at = $"at offset {e.Offset}. ";
            var cut = e.Message.IndexOf(at, StringComparison.Ordinal);
            return cut < 0 ? e.Message : $"{e.Message[(cut + at.Length)..].TrimEnd('.')} (at offset {e.Offset})";
        }
        return wrapped.Error.ToString();
    }

    private static Regex? CompileAnchored(string pattern, string field, Diagnostics diagnostics)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", Options);
        }
        catch (RegexParseException e)
        {
            // Parsed alone for the message: the anchoring wrapper must not show in the user's error.
            diagnostics.Error(field, $"invalid regex '{pattern}': {RegexProblem(pattern, e)}");
            return null;
        }
        catch (NotSupportedException e)
        {
            // The linear-time engine refuses backreferences and lookarounds; say so plainly.
            diagnostics.Error(field, $"regex '{pattern}' uses a construct Sluice does not allow (it needs backtracking): {e.Message}");
            return null;
        }
    }
}
