using System.Globalization;
using Sluice.Api;
using Sluice.Cli.Output;

namespace Sluice.Cli.Routes;

/// <summary>glooctl's <c>route get</c> table: ID, MATCHER, TYPE, VERB, HEADER, UPSTREAM, FUNCTION, EXTENSION.</summary>
internal static class RouteTable
{
    public static void Write(TextWriter writer, IReadOnlyList<Route> routes) =>
        RowTable.Write(writer, ["ID", "MATCHER", "TYPE", "VERB", "HEADER", "QUERY", "UPSTREAM", "FUNCTION", "EXTENSION"],
            routes.Select((route, index) => Row(route, index)));

    private static IReadOnlyList<string> Row(Route route, int index)
    {
        var (matcher, type) = route switch
        {
            { EventMatcher: { } e } => (e.EventType, "Event"),
            { RequestMatcher.PathExact: { } p } => (p, "Exact Path"),
            { RequestMatcher.PathRegex: { } p } => (p, "Regex Path"),
            { RequestMatcher.PathPrefix: { } p } => (p, "Path Prefix"),
            _ => ("", "Any"),
        };
        var destinations = route.MultipleDestinations is { Count: > 0 } multiple
            ? multiple.Select(w => (Upstream: $"{w.Destination.UpstreamName} ({w.Weight})", Function: w.Destination.Function?.FunctionName ?? "")).ToList()
            : [(Upstream: route.SingleDestination?.UpstreamName ?? Action(route), Function: route.SingleDestination?.Function?.FunctionName ?? "")];
        return
        [
            index.ToString(CultureInfo.InvariantCulture),
            matcher,
            type,
            string.Join(", ", route.RequestMatcher?.Verbs ?? ValueList<string>.Empty),
            string.Join(", ", (route.RequestMatcher?.Headers ?? ValueMap.Empty).Select(h => h.Value.Length == 0 ? h.Key : $"{h.Key}: {h.Value}")),
            string.Join(", ", (route.RequestMatcher?.QueryParams ?? ValueMap.Empty).Select(q => q.Value.Length == 0 ? q.Key : $"{q.Key}={q.Value}")),
            string.Join(", ", destinations.Select(d => d.Upstream)),
            string.Join(", ", destinations.Select(d => d.Function).Where(f => f.Length > 0)),
            route.Extensions.IsEmpty ? "" : "yes",
        ];
    }

    private static string Action(Route route) => route switch
    {
        { Redirect: not null } => "(redirect)",
        { DirectResponse: not null } => "(direct response)",
        _ => "",
    };
}
