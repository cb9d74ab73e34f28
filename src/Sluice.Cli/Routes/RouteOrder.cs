using Sluice.Api;

namespace Sluice.Cli.Routes;

/// <summary>
/// glooctl's <c>route sort</c> order (reference §7; glooctl <c>pkg/route/sort.go</c>): event
/// matchers first, then exact paths, then regexes, then prefixes; within a kind the longer
/// string first; otherwise the order stays (a stable sort). Routes with no path come last, where
/// a catch-all belongs. glooctl's comparison said "less" for equal keys, which a stable sort
/// only tolerates by luck; this one is a proper total order, with the same results on its cases.
/// </summary>
internal static class RouteOrder
{
    public static IReadOnlyList<Route> Sort(IEnumerable<Route> routes) =>
        // OrderBy is stable: equal keys keep their order.
        [.. routes.OrderBy(Rank).ThenByDescending(KeyLength)];

    private static int Rank(Route route) => route switch
    {
        { EventMatcher: not null } => 0,
        { RequestMatcher.PathExact: not null } => 1,
        { RequestMatcher.PathRegex: not null } => 2,
        { RequestMatcher.PathPrefix: not null } => 3,
        _ => 4,
    };

    private static int KeyLength(Route route) =>
        (route.EventMatcher?.EventType
            ?? route.RequestMatcher?.PathExact
            ?? route.RequestMatcher?.PathRegex
            ?? route.RequestMatcher?.PathPrefix
            ?? "").Length;
}
