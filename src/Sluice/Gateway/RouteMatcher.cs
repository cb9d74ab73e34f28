using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// Tests a request against a compiled route match. Cheap checks first (method, path), then
/// headers and query; the query is parsed only for routes that have query conditions.
/// <see cref="RouteIndex"/> decides the path of literal routes; <see cref="FirstMatchByScan"/> is
/// the plain ordered scan it must agree with (the property test's oracle).
/// </summary>
internal static class RouteMatcher
{
    /// <summary>A CORS preflight: it may match a route whose methods leave OPTIONS out, when the route has CORS.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey(HeaderNames.Origin)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>Gloo's first match, route by route in config order: what <see cref="RouteIndex"/> must always agree with.</summary>
    public static int FirstMatchByScan(IReadOnlyList<RoutePlan> routes, HttpRequest request, bool isPreflight)
    {
        for (var i = 0; i < routes.Count; i++)
        {
            if (Matches(routes[i], request, isPreflight))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Every condition of the route, path included.</summary>
    public static bool Matches(RoutePlan route, HttpRequest request, bool isPreflight)
    {
        var match = route.Match;
        if (match.Methods.Count > 0 && !MethodAllowed(match, request, isPreflight && route.Cors is not null))
        {
            return false;
        }
        return PathMatches(match, request.Path.Value ?? "/") && OtherConditionsMatch(match, request);
    }

    /// <summary>Every condition but the path, which the caller (the index) has already matched.</summary>
    public static bool MatchesBesidesPath(RoutePlan route, HttpRequest request, bool isPreflight)
    {
        var match = route.Match;
        if (match.Methods.Count > 0 && !MethodAllowed(match, request, isPreflight && route.Cors is not null))
        {
            return false;
        }
        return OtherConditionsMatch(match, request);
    }

    private static bool OtherConditionsMatch(RouteMatchPlan match, HttpRequest request)
    {
        if (match.EventType is { } eventType && !IsEvent(request, eventType))
        {
            return false;
        }
        var headers = match.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (!ValueMatches(headers[i], request.Headers[headers[i].Name]))
            {
                return false;
            }
        }
        var query = match.QueryParams;
        for (var i = 0; i < query.Count; i++)
        {
            if (!ValueMatches(query[i], request.Query[query[i].Name]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A CORS preflight is an OPTIONS request asking about another method; a route with a CORS
    /// policy judges it by the method asked about, so preflights reach the policy even on
    /// routes restricted to, say, POST (Gloo answered them 404).
    /// </summary>
    private static bool MethodAllowed(RouteMatchPlan match, HttpRequest request, bool judgeRequestedMethod)
    {
        var method = judgeRequestedMethod ? request.Headers.AccessControlRequestMethod.ToString() : request.Method;
        var methods = match.Methods;
        for (var i = 0; i < methods.Count; i++)
        {
            if (string.Equals(methods[i], method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool PathMatches(RouteMatchPlan match, string path) => match.PathKind switch
    {
        PathMatchKind.Prefix => path.StartsWith(match.Path, StringComparison.Ordinal),
        PathMatchKind.Exact => string.Equals(path, match.Path, StringComparison.Ordinal),
        _ => match.PathRegex!.IsMatch(path),
    };

    /// <summary>
    /// Gloo's <c>X-Event-Type</c>, a CloudEvents 1.0 binary-mode <c>ce-type</c>, or the
    /// <c>type</c> of a structured-mode event (read beforehand by a gate: <see cref="RequestEventType"/>).
    /// </summary>
    private static bool IsEvent(HttpRequest request, string eventType) =>
        request.Headers["x-event-type"] == eventType
        || request.Headers["ce-type"] == eventType
        || request.HttpContext.Features.Get<RequestEventType>()?.Type == eventType;

    private static bool ValueMatches(ValueMatchPlan condition, StringValues values)
    {
        if (values.Count == 0)
        {
            return false;
        }
        if (condition.Kind == ValueMatchKind.Present)
        {
            return true;
        }
        foreach (var value in values)
        {
            var matched = condition.Kind == ValueMatchKind.Exact
                ? string.Equals(value, condition.Value, StringComparison.Ordinal)
                : condition.Regex!.IsMatch(value ?? "");
            if (matched)
            {
                return true;
            }
        }
        return false;
    }
}
