using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// Tests a request against a compiled route match. Cheap checks first (method, path), then
/// headers and query; the query is parsed only for routes that have query conditions.
/// </summary>
internal static class RouteMatcher
{
    /// <summary>A CORS preflight: it may match a route whose methods leave OPTIONS out, when the route has CORS.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey(HeaderNames.Origin)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    public static bool Matches(RouteState route, HttpRequest request, bool isPreflight)
    {
        var match = route.Plan.Match;
        if (match.Methods.Count > 0 && !MethodAllowed(match, request, isPreflight && route.Plan.Cors is not null))
        {
            return false;
        }
        if (!PathMatches(match, request.Path.Value ?? "/"))
        {
            return false;
        }
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
