using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class RoundTripTests
{
    private static readonly Upstream FullUpstream = Decode.Upstream(Decode.Lines(
        "name: default-petstore-8080",
        "type: kubernetes",
        "connection_timeout: 1m30s",
        "spec: { service_name: petstore, service_port: 8080, weights: [1, 2.5, -3], tls: true, none: ~, version: '1.10' }",
        "functions:",
        "- name: findPetById",
        "  spec:",
        "    path: /api/pets/{id}",
        "    body: |",
        "      {\"id\": {{id}}}",
        "- name: listPets",
        "service_info: { type: REST, properties: { swagger_url: 'http://petstore/swagger.json' } }",
        "metadata:",
        "  resource_version: '12'",
        "  namespace: gloo-system",
        "  annotations: { gloo.solo.io/discovery: enabled, count: '3' }",
        "status: { state: Warning, reason: \"function 'x' not found\" }"));

    private static readonly VirtualService FullService = Decode.Service(Decode.Lines(
        "name: petstore.example.com",
        "domains: [petstore.example.com, '*.example.com']",
        "routes:",
        "- request_matcher:",
        "    path_regex: /api/v[0-9]+/.*",
        "    headers: { x-user: '', x-version: v1.*, x-port: '8080' }",
        "    query_params: { debug: 'true', q: 'a: b' }",
        "    verbs: [GET, POST]",
        "  multiple_destinations:",
        "  - destination: { upstream: { name: blue } }",
        "    weight: 90",
        "  - destination: { function: { upstream_name: lambda, function_name: green } }",
        "    weight: 10",
        "  prefix_rewrite: /v2",
        "  extensions: { timeout: 5000000000, cors: { allow_origin: ['*'], max_age: 86400000000000 } }",
        "- event_matcher: { event_type: order.created }",
        "  single_destination: { upstream: { name: orders } }",
        "- request_matcher: {}",
        "  multiple_destinations: []",
        "- request_matcher: { path_prefix: /old }",
        "  redirect: { https_redirect: true, host_redirect: new.example.com, prefix_rewrite: /new, response_code: 308, strip_query: true }",
        "- request_matcher: { path_exact: /health }",
        "  direct_response: { status: 200, body: ok }",
        "- request_matcher: { path_prefix: /users }",
        "  single_destination: { upstream: { name: users } }",
        "  regex_rewrite: { pattern: '^/users/([0-9]+)$', substitution: /u/$1 }",
        "ssl_config:",
        "  ssl_files: { tls_cert: /certs/tls.crt, tls_key: /certs/tls.key }",
        "  sni_domains: [petstore.example.com]",
        "disable_for_gateways: true",
        "metadata: { resource_version: '3' }",
        "status: { state: Accepted }"));

    public static TheoryData<IConfigObject> Objects() => new()
    {
        FullUpstream,
        FullService,
        new Upstream { Name = "a", Type = "static" },
        new VirtualService { Name = "default" },
        new Upstream { Name = "t", Type = "static", ConnectionTimeout = TimeSpan.FromMilliseconds(250) },
        new Upstream { Name = "t", Type = "static", ConnectionTimeout = TimeSpan.FromTicks(15) },
        new Upstream { Name = "t", Type = "static", ConnectionTimeout = TimeSpan.Zero, Status = new Status(StatusState.Rejected, "") },
        new VirtualService { Name = "s", SslConfig = new SslConfig { SecretRef = "cert" }, Status = Status.Pending },
        new VirtualService
        {
            Name = "tricky",
            Domains = new(["", "true", "yes", "~", "null", "0x1F", "1e3", ".inf", "1_000", "1:30", "10.0.0.1", "0b101", "+1", "- x", "a: b", "#x", " lead", "trail ",
                "'", "\"", "@at", "`tick", "multi\nline", "multi\nline\n", "\n\nblank\n\n", "tab\there", "ünïcödé", "{x}", "[x]", "%p", "&a", "*a", "!t", "|", ">"]),
            Routes = new([new Route { PrefixRewrite = "", RequestMatcher = new RequestMatcher { Headers = new([new("yes", "no"), new("", "empty key"), new("x: y", "1")]) } }]),
        },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Yaml_RoundTrips(IConfigObject config)
    {
        var yaml = ConfigCodec.ToYaml(config);

        var document = Assert.Single(ConfigCodec.ReadDocuments(yaml, config.Kind, "out.yaml"));
        Assert.True(document.Error is null, $"{document.Error}\n{yaml}");
        Assert.Equal(config, document.Object);
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void Json_RoundTrips(IConfigObject config)
    {
        var json = ConfigCodec.ToJson(config).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

        var document = Assert.Single(ConfigCodec.ReadDocuments(json, config.Kind, "out.json"));
        Assert.True(document.Error is null, $"{document.Error}\n{json}");
        Assert.Equal(config, document.Object);
    }

    [Fact]
    public void ToYaml_WritesReadableBlockYaml()
    {
        var upstream = new Upstream
        {
            Name = "website",
            Type = "static",
            ConnectionTimeout = TimeSpan.FromSeconds(5),
            Spec = Decode.Upstream("name: x\ntype: y\nspec: {hosts: [{addr: 10.0.0.1, port: 80}], port_name: '8080'}\n").Spec,
            Status = Status.Accepted,
        };

        Assert.Equal(
            Decode.Lines(
                "name: website",
                "type: static",
                "connection_timeout: 5s",
                "spec:",
                "  hosts:",
                "  - addr: 10.0.0.1",
                "    port: 80",
                "  port_name: '8080'",
                "status:",
                "  state: Accepted"),
            ConfigCodec.ToYaml(upstream));
    }

    [Theory]
    [InlineData("8080", "'8080'")]
    [InlineData("true", "'true'")]
    [InlineData("yes", "'yes'")]
    [InlineData("~", "'~'")]
    [InlineData("", "''")]
    [InlineData("1.5", "'1.5'")]
    [InlineData("plain text", "plain text")]
    [InlineData("/api/v1/*", "/api/v1/*")]
    [InlineData("*.example.com", "'*.example.com'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("5s", "5s")]
    public void ToYaml_QuotesOnlyWhenNeeded(string value, string written)
    {
        var yaml = ConfigCodec.ToYaml(new VirtualService { Name = "a", Domains = new([value]) });

        Assert.Equal($"name: a\ndomains:\n- {written}\n", yaml);
    }

    [Fact]
    public void ToYaml_WritesMultiLineStrings_AsLiteralBlocks()
    {
        var spec = Decode.Upstream("name: x\ntype: y\nspec: {cert: \"-----BEGIN-----\\nabc\\n-----END-----\\n\"}\n").Spec;

        var yaml = ConfigCodec.ToYaml(new Upstream { Name = "a", Type = "static", Spec = spec });

        Assert.Contains("  cert: |\n    -----BEGIN-----\n    abc\n    -----END-----\n", yaml);
    }

    [Fact]
    public void ToJson_IsSnakeCase_OmitsUnset_AndEmbedsStructs()
    {
        var json = ConfigCodec.ToJson(FullService);

        Assert.Equal("petstore.example.com", (string?)json["name"]);
        var route = json["routes"]![0]!;
        Assert.Equal("/api/v[0-9]+/.*", (string?)route["request_matcher"]!["path_regex"]);
        Assert.Null(route["request_matcher"]!["path_prefix"]);
        Assert.Equal(90u, (uint)route["multiple_destinations"]![0]!["weight"]!);
        Assert.Equal("green", (string?)route["multiple_destinations"]![1]!["destination"]!["function"]!["function_name"]);
        Assert.Equal(5_000_000_000, (long)route["extensions"]!["timeout"]!);
        Assert.Equal(JsonValueKind.Array, route["extensions"]!["cors"]!["allow_origin"]!.GetValueKind());
        Assert.False(route.AsObject().ContainsKey("single_destination"));
        Assert.Equal("""{"event_type":"order.created"}""", json["routes"]![1]!["event_matcher"]!.ToJsonString());
        Assert.Equal("""{"state":"Accepted"}""", json["status"]!.ToJsonString());
        Assert.True((bool)json["disable_for_gateways"]!);
        Assert.Equal(
            ["name", "domains", "routes", "ssl_config", "disable_for_gateways", "metadata", "status"],
            json.Select(p => p.Key));
    }

    [Fact]
    public void ToJson_WritesDurations_GoStyle()
    {
        var json = ConfigCodec.ToJson(FullUpstream);

        Assert.Equal("1m30s", (string?)json["connection_timeout"]);
        Assert.Equal("Warning", (string?)json["status"]!["state"]);
        Assert.Equal("function 'x' not found", (string?)json["status"]!["reason"]);
        Assert.Equal("""{"resource_version":"12","namespace":"gloo-system","annotations":{"gloo.solo.io/discovery":"enabled","count":"3"}}""",
            json["metadata"]!.ToJsonString());
    }

    [Fact]
    public void ToJson_CopiesStructs()
    {
        var json = ConfigCodec.ToJson(FullUpstream);
        json["spec"]!["service_name"] = "changed";

        Assert.Equal("petstore", FullUpstream.Spec.Root.GetProperty("service_name").GetString());
        Assert.IsType<JsonObject>(json["spec"]);
    }
}
