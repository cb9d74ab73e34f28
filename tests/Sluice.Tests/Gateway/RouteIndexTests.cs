using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.Plan;

namespace Sluice.Tests.Gateway;

/// <summary>
/// The route index must pick exactly the route the plain ordered scan picks (Gloo's first match),
/// whatever the table. Random tables mix prefix, exact and regex paths built from a few shared
/// segments (so prefixes nest and collide), methods, CORS, event types, header and query
/// conditions; random requests are drawn from the same pieces. CsCheck prints the seed of a
/// failing case (rerun it with <c>seed:</c>).
/// </summary>
public sealed class RouteIndexTests
{
    private static readonly string[] Segments = ["a", "ab", "b", "api", "v1", "A", "events"];

    private static readonly Gen<string> Paths =
        Gen.Select(Gen.OneOf(Segments).Array[0, 3], Gen.Bool, (segments, slash) =>
            "/" + string.Join('/', segments) + (slash && segments.Length > 0 ? "/" : ""));

    /// <summary>Prefixes also end mid-segment ("/a" is a prefix of "/ab").</summary>
    private static readonly Gen<string> Prefixes =
        Gen.Frequency<string>((4, Paths), (1, Gen.Select(Paths, Gen.Int[0, 3], (p, cut) => p.Length > cut + 1 ? p[..^cut] : p)));

    private static readonly Gen<RouteMatchPlan> PathMatches = Gen.Frequency<RouteMatchPlan>(
        (4, Prefixes.Select(p => new RouteMatchPlan { PathKind = PathMatchKind.Prefix, Path = p })),
        (3, Paths.Select(p => new RouteMatchPlan { PathKind = PathMatchKind.Exact, Path = p })),
        (2, Gen.Select(Paths, Gen.OneOf("", ".*", "/[a-z]+", "(/v1)?"), (p, tail) =>
            new RouteMatchPlan { PathKind = PathMatchKind.Regex, Path = p + tail, PathRegex = Anchored(Regex.Escape(p) + tail) })));

    private static readonly Gen<ValueMatchPlan> Conditions = Gen.OneOf<ValueMatchPlan>(
        Gen.Const(new ValueMatchPlan("x", ValueMatchKind.Present, "")),
        Gen.OneOf("1", "2").Select(v => new ValueMatchPlan("x", ValueMatchKind.Exact, v)),
        Gen.Const(new ValueMatchPlan("x", ValueMatchKind.Regex, "[13].*") { Regex = Anchored("[13].*") }));

    private static readonly Gen<RoutePlan> Routes =
        Gen.Select(
            PathMatches,
            Gen.OneOf("GET", "POST", "OPTIONS").Array[0, 2],
            Conditions.Array[0, 1],
            Conditions.Array[0, 1],
            Gen.Int[0, 9],
            Gen.Int[0, 4],
            (match, methods, headers, query, events, cors) => new RoutePlan
            {
                Name = "r",
                Match = match with
                {
                    Methods = new(methods.Distinct()),
                    Headers = new(headers),
                    QueryParams = new(query),
                    EventType = events == 0 ? "e1" : null,
                },
                Destinations = ValueList<DestinationPlan>.Empty,
                Cors = cors == 0 ? new CorsPlan { AllowOrigins = new(["*"]) } : null,
            });

    private static readonly Gen<HttpRequest> Requests =
        Gen.Select(
            Gen.Select(Paths, Gen.OneOf("", "x", "/"), (p, extra) => p + extra),
            Gen.OneOf("GET", "POST", "OPTIONS", "PUT"),
            Gen.OneOf<string?>(null, "1", "2", "3"),
            Gen.OneOf<string?>(null, "1", "2", "3"),
            Gen.Bool,
            Gen.Bool,
            (path, method, header, query, preflight, isEvent) =>
            {
                var request = new DefaultHttpContext().Request;
                request.Method = method;
                request.Path = path;
                if (header is not null)
                {
                    request.Headers["x"] = header;
                }
                if (query is not null)
                {
                    request.QueryString = new QueryString("?x=" + query);
                }
                if (preflight)
                {
                    request.Headers.Origin = "http://o";
                    request.Headers.AccessControlRequestMethod = "POST";
                }
                if (isEvent)
                {
                    request.Headers["x-event-type"] = "e1";
                }
                return request;
            });

    [Fact]
    public void The_index_picks_the_route_the_ordered_scan_picks()
    {
        Gen.Select(Routes.Array[0, 40], Requests.Array[1, 30], (routes, requests) => (routes, requests)).Sample((routes, requests) =>
        {
            var index = new RouteIndex(routes);
            foreach (var request in requests)
            {
                var isPreflight = RouteMatcher.IsPreflight(request);
                Assert.Equal(RouteMatcher.FirstMatchByScan(routes, request, isPreflight), index.FirstMatch(request, isPreflight));
            }
        }, iter: 3000, threads: 1, print: t => Describe(t.Item1, t.Item2));
    }

    [Fact]
    public void An_earlier_catch_all_shadows_a_later_exact_path_as_in_Gloo()
    {
        RoutePlan[] routes = [Route(PathMatchKind.Exact, "/a/b", "POST"), Route(PathMatchKind.Prefix, "/"), Route(PathMatchKind.Exact, "/a/b")];
        var index = new RouteIndex(routes);
        Assert.Equal(1, index.FirstMatch(Request("GET", "/a/b"), isPreflight: false));
        Assert.Equal(0, index.FirstMatch(Request("POST", "/a/b"), isPreflight: false));
    }

    [Fact]
    public void At_ten_thousand_routes_the_tree_finds_the_route_and_a_trailing_regex_still_catches_the_rest()
    {
        var routes = Enumerable.Range(0, 10_000).Select(i => Route(PathMatchKind.Exact, $"/r/{i}"))
            .Append(new RoutePlan
            {
                Name = "regex",
                Match = new RouteMatchPlan { PathKind = PathMatchKind.Regex, Path = "/.*", PathRegex = Anchored("/.*") },
                Destinations = ValueList<DestinationPlan>.Empty,
            })
            .ToArray();
        var index = new RouteIndex(routes);
        Assert.Equal(5000, index.FirstMatch(Request("GET", "/r/5000"), isPreflight: false));
        Assert.Equal(0, index.FirstMatch(Request("GET", "/r/0"), isPreflight: false));
        Assert.Equal(10_000, index.FirstMatch(Request("GET", "/r/5000/x"), isPreflight: false));
    }

    private static RoutePlan Route(PathMatchKind kind, string path, params string[] methods) => new()
    {
        Name = path,
        Match = new RouteMatchPlan { PathKind = kind, Path = path, Methods = new(methods) },
        Destinations = ValueList<DestinationPlan>.Empty,
    };

    private static HttpRequest Request(string method, string path)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        request.Path = path;
        return request;
    }

    private static Regex Anchored(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant);

    private static string Describe(RoutePlan[] routes, HttpRequest[] requests) =>
        string.Join('\n', routes.Select((r, i) =>
            $"route {i}: {r.Match.PathKind} {r.Match.Path} methods=[{string.Join(',', r.Match.Methods)}] " +
            $"headers=[{string.Join(',', r.Match.Headers.Select(h => $"{h.Kind}:{h.Value}"))}] " +
            $"query=[{string.Join(',', r.Match.QueryParams.Select(h => $"{h.Kind}:{h.Value}"))}] event={r.Match.EventType} cors={r.Cors is not null}"))
        + "\n" + string.Join('\n', requests.Select(r =>
            $"request: {r.Method} {r.Path}{r.QueryString} x={r.Headers["x"]} preflight={RouteMatcher.IsPreflight(r)} event={r.Headers["x-event-type"]}"));

}
