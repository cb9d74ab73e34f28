using Sluice.Api;
using Sluice.Plan;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Translation;

public sealed class VirtualServiceTranslationTests
{
    private static RoutePlan OnlyRoute(string routeYaml)
    {
        var result = Translate(Backend + "name: vs\nroutes:\n" + routeYaml);
        Assert.NotEqual(StatusState.Rejected, result.StatusOf(ConfigKind.VirtualService, "vs").State);
        return Assert.Single(Assert.Single(result.Plan.VirtualHosts).Routes);
    }

    private static string Rejection(string routeYaml, string domains = "")
    {
        var result = Translate(Backend + $"name: vs\n{domains}routes:\n" + routeYaml);
        var status = result.StatusOf(ConfigKind.VirtualService, "vs");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Empty(result.Plan.VirtualHosts);
        return status.Reason!;
    }

    [Theory]
    [InlineData("[]", "*")]
    [InlineData("['']", "*")]
    [InlineData("[API.Example.com, '*.Example.com', '*-bar.example.com']", "api.example.com,*.example.com,*-bar.example.com")]
    public void Domains_are_normalized(string domains, string expected)
    {
        var result = Translate(Backend + $"name: vs\ndomains: {domains}\nroutes: []\n");
        Assert.Equal(expected, string.Join(",", Assert.Single(result.Plan.VirtualHosts).Domains));
    }

    [Theory]
    [InlineData("[a.*.com]", "a wildcard may only lead the domain")]
    [InlineData("['example.com:8080']", "ports are not part of a domain")]
    [InlineData("[a.com, A.com]", "'A.com' is listed twice")]
    [InlineData("['bad domain']", "is not a host name")]
    public void Bad_domains_reject(string domains, string expected)
    {
        Assert.Contains(expected, Rejection("- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: backend } }\n", $"domains: {domains}\n"));
    }

    [Fact]
    public void Request_matcher_compiles_every_condition()
    {
        var route = OnlyRoute("""
            - request_matcher:
                path_regex: /items/[0-9]+
                headers: { X-Present: "", x-exact: "v", x-regex: "a.*" }
                query_params: { q: "", r: "1", s: "x.*" }
                verbs: [get, Post]
              single_destination: { upstream: { name: backend } }
            """);
        var match = route.Match;
        Assert.Equal(PathMatchKind.Regex, match.PathKind);
        Assert.Matches(match.PathRegex!, "/items/12");
        Assert.DoesNotMatch(match.PathRegex!, "/items/12/x");
        Assert.Equal(["x-present:Present", "x-exact:Exact", "x-regex:Regex"], match.Headers.Select(h => $"{h.Name}:{h.Kind}"));
        Assert.Equal(["q:Present", "r:Exact", "s:Regex"], match.QueryParams.Select(h => $"{h.Name}:{h.Kind}"));
        Assert.Equal(["GET", "POST"], match.Methods);
    }

    [Fact]
    public void No_path_specifier_matches_every_path()
    {
        var route = OnlyRoute("- request_matcher: { verbs: [GET] }\n  single_destination: { upstream: { name: backend } }\n");
        Assert.Equal((PathMatchKind.Prefix, "/"), (route.Match.PathKind, route.Match.Path));
    }

    [Fact]
    public void Event_matcher_listens_on_events_path()
    {
        var route = OnlyRoute("- event_matcher: { event_type: order.created }\n  single_destination: { upstream: { name: backend } }\n");
        Assert.Equal((PathMatchKind.Exact, "/events", "order.created"), (route.Match.PathKind, route.Match.Path, route.Match.EventType));
    }

    [Theory]
    [InlineData("- request_matcher: { path_regex: '/a(' }\n  single_destination: { upstream: { name: backend } }\n", "routes[0].request_matcher.path_regex: invalid regex")]
    [InlineData("- request_matcher: { path_regex: '(a)\\1' }\n  single_destination: { upstream: { name: backend } }\n", "routes[0].request_matcher.path_regex")]
    [InlineData("- request_matcher: { path_prefix: api }\n  single_destination: { upstream: { name: backend } }\n", "'api' must start with '/'")]
    [InlineData("- request_matcher: { headers: { x: 'a.*(' } }\n  single_destination: { upstream: { name: backend } }\n", "routes[0].request_matcher.headers.x: invalid regex")]
    [InlineData("- request_matcher: { verbs: ['G T'] }\n  single_destination: { upstream: { name: backend } }\n", "'G T' is not an HTTP method")]
    [InlineData("- event_matcher: {}\n  single_destination: { upstream: { name: backend } }\n", "must specify event_type")]
    [InlineData("- single_destination: { upstream: { name: backend } }\n", "must specify either 'request_matcher' or 'event_matcher'")]
    [InlineData("- request_matcher: { path_prefix: / }\n", "must specify either 'single_destination' or 'multiple_destinations' for route")]
    [InlineData("- request_matcher: { path_prefix: / }\n  single_destination: {}\n", "must specify either a function or upstream on a single destination")]
    [InlineData("- request_matcher: { path_prefix: / }\n  multiple_destinations: [{ destination: { upstream: { name: backend } }, weight: 0 }]\n", "weight must be greater than 0")]
    [InlineData("- request_matcher: { path_prefix: / }\n  multiple_destinations: []\n", "must list at least one destination")]
    [InlineData("- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: backend } }\n  prefix_rewrite: nope\n", "'nope' must start with '/'")]
    [InlineData("- request_matcher: { path_prefix: / }\n  redirect: { response_code: 305, https_redirect: true }\n", "routes[0].redirect.response_code: must be one of 301, 302, 303, 307, 308, got 305")]
    [InlineData("- request_matcher: { path_prefix: / }\n  redirect: {}\n", "routes[0].redirect: must change something")]
    [InlineData("- request_matcher: { path_prefix: / }\n  redirect: { path_redirect: landing }\n", "routes[0].redirect.path_redirect: 'landing' must start with '/'")]
    [InlineData("- request_matcher: { path_regex: /a.* }\n  redirect: { prefix_rewrite: /b }\n", "routes[0].redirect.prefix_rewrite: needs a path_prefix or path_exact route")]
    [InlineData("- request_matcher: { path_prefix: / }\n  direct_response: { status: 999 }\n", "routes[0].direct_response.status: must be an HTTP status between 100 and 599, got 999")]
    [InlineData("- request_matcher: { path_prefix: / }\n  direct_response: { status: 200 }\n  single_destination: { upstream: { name: backend } }\n", "routes[0]: a route either answers by itself")]
    [InlineData("- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: backend } }\n  regex_rewrite: { pattern: '(', substitution: x }\n", "routes[0].regex_rewrite.pattern: invalid regex '('")]
    public void Route_errors_reject_the_virtual_service(string routes, string expected)
    {
        Assert.Contains(expected, Rejection(routes));
    }

    [Fact]
    public void Core_extensions_are_read()
    {
        var route = OnlyRoute("""
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions:
                add_request_headers: [{ key: x-a, value: "1", append: true }]
                add_response_headers: [{ key: x-b, value: "2" }]
                remove_response_headers: [server]
                max_retries: 3
                timeout: 5000000000
                host_rewrite: internal.example.com
                cors: { allow_origin: ["https://a.example.com/"], allow_methods: GET, max_age: 90s, allow_credentials: true }
            """);
        Assert.Equal(new HeaderValuePlan("x-a", "1", true), Assert.Single(route.AddRequestHeaders));
        Assert.Equal(new HeaderValuePlan("x-b", "2", false), Assert.Single(route.AddResponseHeaders));
        Assert.Equal("server", Assert.Single(route.RemoveResponseHeaders));
        Assert.Equal(Sluice.Plan.RetryPlan.MaxRetries(3), route.Retries);
        Assert.Equal(TimeSpan.FromSeconds(5), route.Timeout);
        Assert.Equal("internal.example.com", route.HostRewrite);
        Assert.Equal("https://a.example.com", Assert.Single(route.Cors!.AllowOrigins));
        Assert.Equal(90, route.Cors.MaxAgeSeconds);
    }

    [Theory]
    [InlineData("max_retries: -1", "routes[0].extensions.max_retries: must be between 0 and 10")]
    [InlineData("timeout: soon", "routes[0].extensions.timeout: expected a duration")]
    [InlineData("timeout: 0s", "routes[0].extensions.timeout: must be greater than zero")]
    [InlineData("add_request_headers: [{ key: 'bad header', value: x }]", "routes[0].extensions.add_request_headers: 'bad header' is not a valid header name")]
    [InlineData("add_request_headers: [{ key: host, value: x }]", "routes[0].extensions.add_request_headers: header 'host' is managed by the gateway")]
    [InlineData("cors: { allow_origin: [app.example.com] }", "routes[0].extensions.cors.allow_origin: 'app.example.com' is not an origin")]
    [InlineData("cors: { allow_origin: ['*'], allow_credentials: true }", "routes[0].extensions.cors: allow_credentials cannot be combined")]
    [InlineData("cors: {}", "routes[0].extensions.cors.allow_origin: must list at least one origin")]
    [InlineData("retries: { retry_on: [5xx, teapot] }", "routes[0].extensions.retries.retry_on: unknown condition 'teapot'")]
    [InlineData("retries: { retry_on: [retriable-status-codes] }", "routes[0].extensions.retries.retriable_status_codes: must list the statuses")]
    [InlineData("retries: { retry_on: [retriable-status-codes], retriable_status_codes: [42] }", "42 is not an HTTP status")]
    [InlineData("retries: { num_retries: 11 }", "routes[0].extensions.retries.num_retries: must be between 0 and 10")]
    [InlineData("retries: { per_try_timeout: 0s }", "routes[0].extensions.retries.per_try_timeout: must be greater than zero")]
    [InlineData("retries: {}, max_retries: 2", "routes[0].extensions: set either 'max_retries' (Gloo's shorthand) or 'retries', not both")]
    public void Bad_extensions_reject(string extension, string expected)
    {
        Assert.Contains(expected, Rejection($"- request_matcher: {{ path_prefix: / }}\n  single_destination: {{ upstream: {{ name: backend }} }}\n  extensions: {{ {extension} }}\n"));
    }

    [Fact]
    public void Retry_policy_is_read()
    {
        var route = OnlyRoute("""
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions:
                retries: { retry_on: [gateway-error, retriable-status-codes], num_retries: 4, per_try_timeout: 250ms, retriable_status_codes: [429] }
            """);
        var retries = route.Retries!;
        Assert.Equal(4, retries.NumRetries);
        Assert.Equal(Sluice.Plan.RetryOn.GatewayError | Sluice.Plan.RetryOn.RetriableStatusCodes, retries.RetryOn);
        Assert.Equal(TimeSpan.FromMilliseconds(250), retries.PerTryTimeout);
        Assert.True(retries.RetriesStatus(429) && retries.RetriesStatus(503));
        Assert.False(retries.RetriesStatus(500));
    }

    [Fact]
    public void Unknown_extension_key_warns()
    {
        var result = Translate(Backend + "name: vs\nroutes:\n- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: backend } }\n  extensions: { timout: 5s }\n");
        var status = result.StatusOf(ConfigKind.VirtualService, "vs");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("routes[0].extensions.timout: unknown extension, ignored", status.Reason);
    }

    [Fact]
    public void Weighted_destinations_keep_their_weights_and_functions()
    {
        var route = OnlyRoute("""
            - request_matcher: { path_prefix: / }
              multiple_destinations:
              - destination: { upstream: { name: backend } }
                weight: 3
              - destination: { function: { upstream_name: backend, function_name: missing } }
                weight: 1
            """);
        Assert.Equal(("backend", 3u), (route.Destinations[0].Cluster, route.Destinations[0].Weight));
        Assert.Equal((404, "function_not_found", 1u), (route.Destinations[1].Answer!.StatusCode, route.Destinations[1].Answer!.Name, route.Destinations[1].Weight));
    }

}
