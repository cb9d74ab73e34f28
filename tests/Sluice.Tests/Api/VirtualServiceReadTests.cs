using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class VirtualServiceReadTests
{
    [Fact]
    public void Reads_GlooDocsExample()
    {
        var service = Decode.Service(Decode.Lines(
            "name: default",
            "routes:",
            "- request_matcher: { path_exact: /petstore/findPet }",
            "  single_destination:",
            "    function: { upstream_name: default-petstore-8080, function_name: findPetById }",
            "  extensions:",
            "    parameters:",
            "      headers: { x-pet: '{id}' }",
            "- request_matcher: { path_prefix: / }",
            "  single_destination: { upstream: { name: website } }"));

        Assert.Equal("default", service.Name);
        Assert.Empty(service.Domains);
        Assert.Equal(2, service.Routes.Count);
        Assert.Equal("/petstore/findPet", service.Routes[0].RequestMatcher!.PathExact);
        Assert.Equal(new FunctionDestination("default-petstore-8080", "findPetById"), service.Routes[0].SingleDestination!.Function);
        Assert.Equal("{id}", service.Routes[0].Extensions.Root.GetProperty("parameters").GetProperty("headers").GetProperty("x-pet").GetString());
        Assert.Equal("/", service.Routes[1].RequestMatcher!.PathPrefix);
        Assert.Equal(new UpstreamDestination("website"), service.Routes[1].SingleDestination!.Upstream);
        Assert.Equal("website", service.Routes[1].SingleDestination!.UpstreamName);
    }

    [Fact]
    public void Reads_EveryField()
    {
        var service = Decode.Service(Decode.Lines(
            "name: petstore.example.com",
            "domains:",
            "- petstore.example.com",
            "- '*.petstore.example.com'",
            "routes:",
            "- request_matcher:",
            "    path_regex: /api/v[0-9]+/.*",
            "    headers:",
            "      x-user: ''",
            "      x-version: v1.*",
            "      x-flag:",
            "    query_params:",
            "      debug: 'true'",
            "    verbs: [GET, POST]",
            "  multiple_destinations:",
            "  - destination: { upstream: { name: blue } }",
            "    weight: 90",
            "  - destination: { function: { upstream_name: lambda, function_name: green } }",
            "    weight: '10'",
            "  prefix_rewrite: /v2",
            "  extensions:",
            "    timeout: 5000000000",
            "    max_retries: 3",
            "- event_matcher: { event_type: order.created }",
            "  single_destination: { upstream: { name: orders } }",
            "ssl_config:",
            "  ssl_files:",
            "    tls_cert: /etc/certs/tls.crt",
            "    tls_key: /etc/certs/tls.key",
            "    root_ca: /etc/certs/ca.crt",
            "  sni_domains: [petstore.example.com]",
            "disable_for_gateways: true",
            "metadata: { resource_version: '7' }",
            "status: { state: Accepted }"));

        Assert.Equal(["petstore.example.com", "*.petstore.example.com"], service.Domains);
        var route = service.Routes[0];
        var matcher = route.RequestMatcher!;
        Assert.Equal("/api/v[0-9]+/.*", matcher.PathRegex);
        Assert.Null(matcher.PathPrefix);
        Assert.Null(matcher.PathExact);
        Assert.Equal(new ValueMap([new("x-user", ""), new("x-version", "v1.*"), new("x-flag", "")]), matcher.Headers);
        Assert.Equal("true", matcher.QueryParams["debug"]);
        Assert.Equal(["GET", "POST"], matcher.Verbs);
        Assert.Null(route.SingleDestination);
        Assert.Equal(
            new ValueList<WeightedDestination>([
                new(new Destination { Upstream = new("blue") }, 90),
                new(new Destination { Function = new("lambda", "green") }, 10),
            ]),
            route.MultipleDestinations);
        Assert.Equal("/v2", route.PrefixRewrite);
        Assert.Equal(5_000_000_000, route.Extensions.Root.GetProperty("timeout").GetInt64());
        Assert.Equal("order.created", service.Routes[1].EventMatcher!.EventType);
        Assert.Null(service.Routes[1].RequestMatcher);
        var ssl = service.SslConfig!;
        Assert.Null(ssl.SecretRef);
        Assert.Equal(new SslFiles { TlsCert = "/etc/certs/tls.crt", TlsKey = "/etc/certs/tls.key", RootCa = "/etc/certs/ca.crt" }, ssl.SslFiles);
        Assert.Equal(["petstore.example.com"], ssl.SniDomains);
        Assert.True(service.DisableForGateways);
        Assert.Equal("7", service.Metadata.ResourceVersion);
        Assert.Equal(Status.Accepted, service.Status);
    }

    [Fact]
    public void Reads_SecretRef()
    {
        var service = Decode.Service("name: secure\ndomains: [a.example.com]\nssl_config: { secret_ref: my-cert }\n");

        Assert.Equal(new SslConfig { SecretRef = "my-cert" }, service.SslConfig);
    }

    [Fact]
    public void Reads_Gloo02Roles_AndIgnoresThem()
    {
        var service = Decode.Service("name: a\nroles: [ingress, internal]\ndomains: [a.com]\n");

        Assert.Equal(new VirtualService { Name = "a", Domains = new(["a.com"]) }, service);
    }

    [Theory]
    [InlineData("verbs: [{value: GET}]")]
    [InlineData("verbs:\n    - value: GET")]
    [InlineData("verbs: [GET]\n    path_prefix: {value: /}")]
    public void Reads_WrappedScalars_InMatchers(string matcher)
    {
        var service = Decode.Service($"name: a\nroutes:\n- request_matcher:\n    {matcher}\n");

        Assert.Equal(["GET"], service.Routes[0].RequestMatcher!.Verbs);
    }

    [Theory]
    [InlineData("disable_for_gateways: {value: true}", true)]
    [InlineData("disable_for_gateways: false", false)]
    [InlineData("disable_for_gateways: True", true)]
    public void Reads_Booleans(string yaml, bool expected)
    {
        Assert.Equal(expected, Decode.Service($"name: a\n{yaml}\n").DisableForGateways);
    }

    [Fact]
    public void Reads_WeightWrapped_AndMissingWeightAsZero()
    {
        var service = Decode.Service(Decode.Lines(
            "name: a",
            "routes:",
            "- multiple_destinations:",
            "  - destination: { upstream: { name: x } }",
            "    weight: { value: 3 }",
            "  - destination: { upstream: { name: y } }"));

        Assert.Equal([3u, 0u], service.Routes[0].MultipleDestinations!.Select(d => d.Weight));
    }

    [Fact]
    public void Reads_EmptyMultipleDestinations_AsEmptyNotNull()
    {
        var route = Decode.Service("name: a\nroutes:\n- multiple_destinations: []\n").Routes[0];

        Assert.NotNull(route.MultipleDestinations);
        Assert.Empty(route.MultipleDestinations);
    }
}
