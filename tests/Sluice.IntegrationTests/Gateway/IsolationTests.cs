using System.Net;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// Each object is judged alone: a bad one never takes down what was serving, and its status
/// says what happened.
/// </summary>
public sealed class IsolationTests(ITestOutputHelper output) : GatewayTest(output)
{
    [Fact]
    public async Task Rejected_update_keeps_the_last_accepted_version_serving()
    {
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: shop
            domains: [shop.example.com]
            routes:
            - request_matcher: { path_prefix: /v1 }
              single_destination: { upstream: { name: backend } }
            """);
        await Gateway.ApplyAsync("""
            name: shop
            domains: [shop.example.com]
            routes:
            - request_matcher: { path_regex: "/v2/(unclosed" }
              single_destination: { upstream: { name: backend } }
            """);

        await Gateway.GetEchoAsync("/v1/items", "shop.example.com");
        var status = Status(ConfigKind.VirtualService, "shop");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("routes[0].request_matcher.path_regex", status.Reason);
        Assert.Contains("last accepted version", status.Reason);
    }

    [Fact]
    public async Task Bad_upstream_is_rejected_alone()
    {
        await Gateway.ApplyAsync(TestConfig.Upstream("good", Backend.Port) + """
            name: bad
            type: static
            spec: { hosts: [] }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /good }
              single_destination: { upstream: { name: good } }
            - request_matcher: { path_prefix: /bad }
              single_destination: { upstream: { name: bad } }
            """);

        await Gateway.GetEchoAsync("/good");
        using var bad = await Gateway.Client.GetAsync("/bad");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bad.StatusCode);
        Assert.Contains("must provide at least 1 host", await bad.Content.ReadAsStringAsync());
        Assert.Equal(StatusState.Rejected, Status(ConfigKind.Upstream, "bad").State);
        Assert.Equal(StatusState.Accepted, Status(ConfigKind.Upstream, "good").State);
        var vs = Status(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Warning, vs.State);
        Assert.Contains("upstream 'bad' is rejected", vs.Reason);
    }

    [Fact]
    public async Task Route_to_missing_upstream_answers_503_and_still_shadows_later_routes()
    {
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: /shadow }
              single_destination: { upstream: { name: not-yet } }
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);

        using var shadowed = await Gateway.Client.GetAsync("/shadow/x");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, shadowed.StatusCode);
        Assert.Equal("upstream_unavailable", shadowed.Headers.GetValues("x-sluice-error").Single());
        await Gateway.GetEchoAsync("/other");
        var status = Status(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("upstream 'not-yet' was not found", status.Reason);

        // Once the upstream appears, the same route serves.
        await Gateway.ApplyAsync(TestConfig.Upstream("not-yet", Backend.Port));
        await Gateway.GetEchoAsync("/shadow/x");
        Assert.Equal(StatusState.Accepted, Status(ConfigKind.VirtualService, "default").State);
    }

    [Fact]
    public async Task Unknown_function_answers_404_with_a_warning()
    {
        await Gateway.ApplyAsync($$"""
            name: petstore
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{Backend.Port}} }] }
            functions:
            - name: listPets
              spec: {}
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /find }
              single_destination: { function: { upstream_name: petstore, function_name: findPet } }
            - request_matcher: { path_prefix: /list }
              single_destination: { function: { upstream_name: petstore, function_name: listPets } }
            """);

        using var missing = await Gateway.Client.GetAsync("/find");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("function_not_found", missing.Headers.GetValues("x-sluice-error").Single());
        await Gateway.GetEchoAsync("/list");
        var status = Status(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("function 'findPet' was not found on upstream 'petstore'", status.Reason);
    }

    [Fact]
    public async Task Domain_conflict_rejects_the_newcomer_and_the_holder_keeps_serving()
    {
        // "zeta" holds the domain first; "alpha" sorts lower but arrives later, so it loses.
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: zeta
            domains: [shared.example.com]
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-vs, value: zeta }] }
            """);
        await Gateway.ApplyAsync("""
            name: alpha
            domains: [shared.example.com, alpha.example.com]
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { add_request_headers: [{ key: x-vs, value: alpha }] }
            """);

        Assert.Equal("zeta", (await Gateway.GetEchoAsync("/", "shared.example.com")).Headers["x-vs"]);
        var status = Status(ConfigKind.VirtualService, "alpha");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("domain 'shared.example.com' is already served by virtual service 'zeta'", status.Reason);
        // Rejected as a whole: its other domain is not served either.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "alpha.example.com" } };
        using var response = await Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(StatusState.Accepted, Status(ConfigKind.VirtualService, "zeta").State);
    }

    [Fact]
    public async Task Statuses_are_written_to_the_store_and_shown_by_the_admin_api()
    {
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + """
            name: typo
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: 1 }], timout: 5 }
            """);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Gateway.Store.GetStatus(ConfigKind.Upstream, "typo") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        var stored = Gateway.Store.GetStatus(ConfigKind.Upstream, "typo");
        Assert.Equal(StatusState.Warning, stored?.State);
        Assert.Contains("spec.timout: unknown field", stored?.Reason);

        var upstreams = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/upstreams"))!.AsArray();
        var typo = upstreams.Single(u => (string?)u!["name"] == "typo")!;
        Assert.Equal("Warning", (string?)typo["status"]!["state"]);
    }

    private Status Status(ConfigKind kind, string name) =>
        Gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Kind == kind && r.Name == name).Status;
}
