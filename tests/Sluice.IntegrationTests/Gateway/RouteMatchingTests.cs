using System.Net.Http.Json;
using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Each matcher kind, and first-match order, through a real gateway and backend.</summary>
public sealed class RouteMatchingTests(ITestOutputHelper output) : GatewayTest(output)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Each route names itself in a request header so the test can tell which one matched.
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_exact: /exact }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: exact }] }
            - request_matcher: { path_regex: "/items/[0-9]+" }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: regex }] }
            - request_matcher:
                path_prefix: /h
                headers: { x-present: "", x-exact: "yes", x-regex: "v[0-9].*" }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: headers }] }
            - request_matcher:
                path_prefix: /q
                query_params: { present: "", exact: "1", pattern: "a.*z" }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: query }] }
            - request_matcher: { path_prefix: /verbs, verbs: [post, PUT] }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: verbs }] }
            - event_matcher: { event_type: order.created }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: event }] }
            - request_matcher: { path_prefix: /first }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: first }] }
            - request_matcher: { path_prefix: /first/second }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: shadowed }] }
            - request_matcher: { path_prefix: /api }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-route, value: prefix }] }
            """);
    }

    [Theory]
    [InlineData("GET", "/exact", "exact")]
    [InlineData("GET", "/exact/more", null)]
    [InlineData("GET", "/EXACT", null)]
    [InlineData("GET", "/items/42", "regex")]
    [InlineData("GET", "/items/42?x=1", "regex")]
    [InlineData("GET", "/items/42/extra", null)]
    [InlineData("GET", "/items/abc", null)]
    [InlineData("POST", "/verbs/x", "verbs")]
    [InlineData("PUT", "/verbs", "verbs")]
    [InlineData("GET", "/verbs", null)]
    [InlineData("GET", "/first/second/third", "first")]
    [InlineData("GET", "/api/users", "prefix")]
    [InlineData("GET", "/apiary", "prefix")]
    [InlineData("GET", "/nothing", null)]
    public async Task Path_and_verb_matching(string method, string path, string? expectedRoute)
    {
        using var response = await Gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await AssertRouteAsync(response, expectedRoute);
    }

    [Theory]
    [InlineData("x-present=1;x-exact=yes;x-regex=v2", "headers")]
    [InlineData("x-present=;x-exact=yes;x-regex=v2.1", "headers")]
    [InlineData("x-exact=yes;x-regex=v2", null)]
    [InlineData("x-present=1;x-exact=YES;x-regex=v2", null)]
    [InlineData("x-present=1;x-exact=yes;x-regex=w2", null)]
    public async Task Header_matching(string headers, string? expectedRoute)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/h");
        foreach (var pair in headers.Split(';'))
        {
            var (name, value) = (pair.Split('=')[0], pair.Split('=')[1]);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await Gateway.Client.SendAsync(request);
        await AssertRouteAsync(response, expectedRoute);
    }

    [Theory]
    [InlineData("/q?present&exact=1&pattern=abcz", "query")]
    [InlineData("/q?present=x&exact=1&pattern=az", "query")]
    [InlineData("/q?exact=1&pattern=abz", null)]
    [InlineData("/q?present&exact=2&pattern=abz", null)]
    [InlineData("/q?present&exact=1&pattern=abzz!", null)]
    public async Task Query_parameter_matching(string pathAndQuery, string? expectedRoute)
    {
        using var response = await Gateway.Client.GetAsync(pathAndQuery);
        await AssertRouteAsync(response, expectedRoute);
    }

    [Theory]
    [InlineData("x-event-type", "order.created", "event")]
    [InlineData("ce-type", "order.created", "event")]
    [InlineData("x-event-type", "order.deleted", null)]
    public async Task Event_matching(string header, string value, string? expectedRoute)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent("{}") };
        request.Headers.Add(header, value);
        using var response = await Gateway.Client.SendAsync(request);
        await AssertRouteAsync(response, expectedRoute);
    }

    private static async Task AssertRouteAsync(HttpResponseMessage response, string? expectedRoute)
    {
        if (expectedRoute is null)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("no_route", response.Headers.GetValues("x-sluice-error").Single());
            return;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<EchoResponse>();
        Assert.Equal(expectedRoute, echo!.Headers["x-route"]);
    }
}
