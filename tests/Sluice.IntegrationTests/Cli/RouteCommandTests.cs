using Sluice.Api;
using Sluice.Cli.Routes;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Cli;

/// <summary><c>sluice route …</c> with glooctl's flags, run as the built executable, and glooctl's sort order on its own test cases.</summary>
public sealed class RouteCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    private string[] Dir => ["--config-dir", _config.Path];

    // glooctl pkg/route/sort_test.go: route1 exact /bar; route2 prefix /foo; route3 prefix
    // /foo/bar; route4 event /apple; route5 prefix /bar/foo.
    private static readonly Route Route1 = new() { RequestMatcher = new RequestMatcher { PathExact = "/bar", Verbs = new(["GET", "POST"]) }, SingleDestination = Up("my-upstream") };
    private static readonly Route Route2 = new() { RequestMatcher = new RequestMatcher { PathPrefix = "/foo" }, SingleDestination = Fn("aws", "foo") };
    private static readonly Route Route3 = new() { RequestMatcher = new RequestMatcher { PathPrefix = "/foo/bar" }, SingleDestination = Fn("aws", "foo") };
    private static readonly Route Route4 = new() { EventMatcher = new EventMatcher { EventType = "/apple" }, SingleDestination = Fn("aws", "foo") };
    private static readonly Route Route5 = new() { RequestMatcher = new RequestMatcher { PathPrefix = "/bar/foo" }, SingleDestination = Fn("aws", "foo") };

    [Fact]
    public void Sort_matches_glooctl_on_its_cases()
    {
        // glooctl list 1: events first, then exact, then prefixes longest first.
        Assert.Equal([Route4, Route1, Route3, Route2], RouteOrder.Sort([Route1, Route2, Route3, Route4]));
        // glooctl list 2: same kind and length keep their order (a stable sort).
        Assert.Equal([Route3, Route5], RouteOrder.Sort([Route3, Route5]));
        Assert.Equal([Route5, Route3], RouteOrder.Sort([Route5, Route3]));
        // Regexes sit between exact paths and prefixes; routes without a path go last.
        var regex = new Route { RequestMatcher = new RequestMatcher { PathRegex = "/b.*" } };
        var any = new Route { RequestMatcher = new RequestMatcher { Headers = new([new("x", "")]) } };
        Assert.Equal([Route4, Route1, regex, Route3, any], RouteOrder.Sort([any, Route3, regex, Route1, Route4]));
    }

    [Fact]
    public async Task Route_add_creates_default_then_get_update_sort_delete_as_glooctl()
    {
        _config.Write("upstreams/u.yaml", "name: my-upstream\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9}]}\n---\nname: aws\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9}]}\nfunctions:\n- {name: foo, spec: {path: /foo, method: POST}}\n");
        // Added in glooctl's unsorted order of list 1.
        var first = (await CliProcess.RunAsync(["route", "add", "--path-exact", "/bar", "--http-method", "get,post", "--upstream", "my-upstream", .. Dir])).AssertExit(0);
        Assert.Contains("virtualservice/default not found: creating it", first.Err, StringComparison.Ordinal);
        (await CliProcess.RunAsync(["route", "add", "--path-prefix", "/foo", "--header", "x-foo-bar", "-u", "aws", "--function", "foo", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["route", "add", "--path-prefix", "/foo/bar", "--header", "x-foo-bar", "-u", "aws", "--function", "foo", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["route", "add", "--event", "/apple", "-u", "aws", "--function", "foo", .. Dir])).AssertExit(0);

        var sorted = (await CliProcess.RunAsync(["route", "sort", .. Dir])).AssertExit(0);
        Assert.Contains("virtualservice/default: routes sorted", sorted.Out, StringComparison.Ordinal);
        var routes = await RoutesAsync();
        Assert.Equal(["event /apple", "exact /bar", "prefix /foo/bar", "prefix /foo"], routes.Select(Describe));
        Assert.Equal(["GET", "POST"], routes[1].RequestMatcher!.Verbs);
        Assert.Equal("", routes[2].RequestMatcher!.Headers["x-foo-bar"]);
        Assert.Equal(new FunctionDestination("aws", "foo"), routes[3].SingleDestination!.Function);

        var table = (await CliProcess.RunAsync(["route", "get", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^ID\s+MATCHER\s+TYPE\s+VERB\s+HEADER\s+QUERY\s+UPSTREAM\s+FUNCTION\s+EXTENSION$", table.Out);
        Assert.Matches(@"(?m)^1\s+/bar\s+Exact Path\s+GET, POST\s+my-upstream$", table.Out);

        // Weighted destinations, query matchers, a rewrite and extensions, inserted first.
        _config.Write("ext.yaml", "timeout: 5s\nmax_retries: 2\n");
        (await CliProcess.RunAsync(["route", "add", "--path-regex", "/v[0-9]+/.*", "--query", "debug=1", "--dest", "my-upstream=90", "--dest", "aws:foo=10",
            "--prefix-rewrite", "/", "--extensions", Path.Combine(_config.Path, "ext.yaml"), "--index", "0", .. Dir])).AssertExit(0);
        routes = await RoutesAsync();
        Assert.Equal("regex /v[0-9]+/.*", Describe(routes[0]));
        Assert.Equal([90u, 10u], routes[0].MultipleDestinations!.Select(d => d.Weight));
        Assert.Equal("1", routes[0].RequestMatcher!.QueryParams["debug"]);
        Assert.Equal("5s", routes[0].Extensions.Root.GetProperty("timeout").GetString());

        // update --index: only what is given changes.
        (await CliProcess.RunAsync(["route", "update", "--index", "1", "--upstream", "my-upstream", "--sort", .. Dir])).AssertExit(0);
        routes = await RoutesAsync();
        Assert.Equal(["event /apple", "exact /bar", "regex /v[0-9]+/.*", "prefix /foo/bar", "prefix /foo"], routes.Select(Describe));
        Assert.Equal("my-upstream", routes[0].SingleDestination!.UpstreamName);

        // delete by matcher, then by index; errors name the range.
        (await CliProcess.RunAsync(["route", "delete", "--path-exact", "/bar", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["route", "delete", "--index", "0", .. Dir])).AssertExit(0);
        Assert.Equal(["regex /v[0-9]+/.*", "prefix /foo/bar", "prefix /foo"], (await RoutesAsync()).Select(Describe));
        var outOfRange = (await CliProcess.RunAsync(["route", "delete", "--index", "7", .. Dir])).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("--index 7: the virtual service has 3 route(s), numbered 0 to 2", outOfRange.Err, StringComparison.Ordinal);
        var noMatcher = (await CliProcess.RunAsync(["route", "add", "-u", "aws", .. Dir])).AssertExit(1);
        Assert.Contains("a route needs a matcher", noMatcher.Err, StringComparison.Ordinal);
        var twoPaths = (await CliProcess.RunAsync(["route", "add", "--path-exact", "/a", "--path-prefix", "/b", "-u", "aws", .. Dir])).AssertExit(1);
        Assert.Contains("--path-exact and --path-prefix cannot go together", twoPaths.Err, StringComparison.Ordinal);
        var otherVs = (await CliProcess.RunAsync(["route", "add", "--vs", "shop", "--path-prefix", "/", "-u", "aws", .. Dir])).AssertExit(1);
        Assert.Contains("virtualservice/shop: not found", otherVs.Err, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<Route>> RoutesAsync()
    {
        var snapshot = await new FileStore(_config.Path).LoadAsync(CancellationToken.None);
        Assert.Empty(snapshot.LoadErrors);
        return snapshot.VirtualServices.Single(v => v.Name == "default").Routes;
    }

    private static string Describe(Route route) => route switch
    {
        { EventMatcher: { } e } => $"event {e.EventType}",
        { RequestMatcher.PathExact: { } p } => $"exact {p}",
        { RequestMatcher.PathRegex: { } p } => $"regex {p}",
        { RequestMatcher.PathPrefix: { } p } => $"prefix {p}",
        _ => "?",
    };

    private static Destination Up(string name) => new() { Upstream = new UpstreamDestination(name) };

    private static Destination Fn(string upstream, string function) => new() { Function = new FunctionDestination(upstream, function) };

    public void Dispose() => _config.Dispose();
}
