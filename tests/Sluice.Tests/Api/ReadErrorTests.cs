using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class ReadErrorTests
{
    private const string Up = "name: a\ntype: static\n";

    [Fact]
    public void UnknownTopLevelField_NamesField_LineAndSuggestion()
    {
        var error = Decode.Error("name: a\ntype: static\n\nspce:\n  hosts: []\n", ConfigKind.Upstream);

        Assert.Equal(
            "upstreams/a.yaml:4:1: upstream 'a': field 'spce': unknown field (expected one of: name, type, "
            + "connection_timeout, spec, functions, service_info, use_http2, health_checks, load_balancer, outlier_detection, circuit_breakers, metadata, status); did you mean 'spec'?",
            error.ToString());
        Assert.Equal(ConfigKind.Upstream, error.Kind);
        Assert.Equal("a", error.ObjectName);
    }

    [Theory]
    [InlineData(ConfigKind.Upstream, Up + "functions:\n- name: f\n  spek: {}\n", "functions[0].spek", 5, 3, "spec")]
    [InlineData(ConfigKind.Upstream, Up + "service_info:\n  type: REST\n  propertes: {}\n", "service_info.propertes", 5, 3, "properties")]
    [InlineData(ConfigKind.Upstream, Up + "metadata:\n  resourceVersion: '1'\n", "metadata.resourceVersion", 4, 3, "resource_version")]
    [InlineData(ConfigKind.Upstream, Up + "status: {stat: Accepted}\n", "status.stat", 3, 10, "state")]
    [InlineData(ConfigKind.VirtualService, "name: a\ndomain: [x]\n", "domain", 2, 1, "domains")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher: {path_prefix: /}\n  singel_destination: {}\n", "routes[0].singel_destination", 4, 3, "single_destination")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher: {path_prefx: /}\n", "routes[0].request_matcher.path_prefx", 3, 21, "path_prefix")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- event_matcher: {eventType: x}\n", "routes[0].event_matcher.eventType", 3, 19, "event_type")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- single_destination: {upstreams: {name: x}}\n", "routes[0].single_destination.upstreams", 3, 24, "upstream")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- single_destination: {upstream: {nam: x}}\n", "routes[0].single_destination.upstream.nam", 3, 35, "name")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- single_destination: {function: {upstream: x}}\n", "routes[0].single_destination.function.upstream", 3, 35, null)]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- multiple_destinations:\n  - destination: {upstream: {name: x}}\n    wieght: 1\n", "routes[0].multiple_destinations[0].wieght", 5, 5, "weight")]
    [InlineData(ConfigKind.VirtualService, "name: a\nssl_config: {secretRef: x}\n", "ssl_config.secretRef", 2, 14, "secret_ref")]
    [InlineData(ConfigKind.VirtualService, "name: a\nssl_config:\n  ssl_files: {cert: x}\n", "ssl_config.ssl_files.cert", 3, 15, null)]
    public void UnknownField_AtEveryLevel(ConfigKind kind, string yaml, string field, int line, int column, string? suggestion)
    {
        var error = Decode.Error(yaml, kind);

        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.StartsWith("unknown field (expected one of: ", error.Message);
        if (suggestion is null)
        {
            Assert.DoesNotContain("did you mean", error.Message);
        }
        else
        {
            Assert.EndsWith($"did you mean '{suggestion}'?", error.Message);
        }
    }

    [Theory]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher: {path_prefix: /}\n- request_matcher:\n    verbs: GET\n",
        "routes[1].request_matcher.verbs", 5, "expected a list of strings, got the scalar 'GET'")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher:\n    verbs: [GET, [POST]]\n",
        "routes[0].request_matcher.verbs", 4, "expected a list of strings, got a list at index 1")]
    [InlineData(ConfigKind.VirtualService, "name: a\ndomains: example.com\n", "domains", 2, "expected a list of strings, got the scalar 'example.com'")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes: {}\n", "routes", 2, "expected a list, got a mapping")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- /path\n", "routes[0]", 3, "expected a mapping of fields, got the scalar '/path'")]
    [InlineData(ConfigKind.VirtualService, "name: a\ndisable_for_gateways: 'yes'\n", "disable_for_gateways", 2, "expected true or false, got the scalar 'yes'")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher:\n    headers: [x-a]\n", "routes[0].request_matcher.headers", 4, "expected a map of strings, got a list")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher:\n    headers:\n      x-a: {b: c}\n", "routes[0].request_matcher.headers.x-a", 5, "expected a string, got a mapping")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- request_matcher: {path_prefix: [a]}\n", "routes[0].request_matcher.path_prefix", 3, "expected a string, got a list")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- multiple_destinations:\n  - destination: {upstream: {name: x}}\n    weight: -1\n",
        "routes[0].multiple_destinations[0].weight", 5, "expected a whole number from 0 to 4294967295, got the scalar '-1'")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroutes:\n- extensions: [timeout]\n", "routes[0].extensions", 3, "expected a mapping of free-form fields, got a list")]
    [InlineData(ConfigKind.Upstream, Up + "spec: localhost:8080\n", "spec", 3, "expected a mapping of free-form fields, got the scalar 'localhost:8080'")]
    [InlineData(ConfigKind.Upstream, Up + "service_info: {type: gRPC, properties: 5}\n", "service_info.properties", 3, "expected a mapping of free-form fields, got the scalar '5'")]
    [InlineData(ConfigKind.Upstream, Up + "connection_timeout: 5 seconds\n", "connection_timeout", 3,
        "expected a duration such as \"5s\", \"250ms\", \"1m30s\" or integer nanoseconds, got the scalar '5 seconds'")]
    [InlineData(ConfigKind.Upstream, Up + "connection_timeout: {value: 5s, unit: s}\n", "connection_timeout", 3,
        "expected a duration such as \"5s\", \"250ms\", \"1m30s\" or integer nanoseconds, got a mapping")]
    [InlineData(ConfigKind.Upstream, Up + "status: {state: Ok}\n", "status.state", 3, "unknown state 'Ok' (expected one of: Pending, Accepted, Rejected, Warning)")]
    [InlineData(ConfigKind.Upstream, Up + "metadata:\n  annotations: [a]\n", "metadata.annotations", 4, "expected a map of strings, got a list")]
    [InlineData(ConfigKind.Upstream, Up + "functions: {name: f}\n", "functions", 3, "expected a list, got a mapping")]
    [InlineData(ConfigKind.VirtualService, "name: a\nroles: ingress\n", "roles", 2, "expected a list of strings, got the scalar 'ingress'")]
    public void WrongType_IsPrecise(ConfigKind kind, string yaml, string field, int line, string message)
    {
        var error = Decode.Error(yaml, kind);

        Assert.Equal(field, error.Field);
        Assert.Equal(line, error.Line);
        Assert.Equal(message, error.Message);
        Assert.Equal("a", error.ObjectName);
    }

    [Theory]
    [InlineData(ConfigKind.Upstream, "type: static\n")]
    [InlineData(ConfigKind.Upstream, "name:\ntype: static\n")]
    [InlineData(ConfigKind.VirtualService, "domains: [a.com]\n")]
    public void MissingName_IsAnError(ConfigKind kind, string yaml)
    {
        var errors = ConfigCodec.ReadDocuments(yaml, kind, "x.yaml");

        var document = Assert.Single(errors);
        Assert.Null(document.Name);
        Assert.Equal("name", document.Error!.Field);
        Assert.Equal("is required", document.Error.Message);
        Assert.Equal(1, document.Error.Line);
    }

    [Theory]
    [InlineData("Petstore")]
    [InlineData("pet_store")]
    [InlineData("-petstore")]
    [InlineData("petstore-")]
    [InlineData("pet..store")]
    [InlineData("'1.2 '")]
    public void InvalidName_SaysTheRule(string name)
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments($"name: {name}\ntype: static\n", ConfigKind.Upstream, "u.yaml"));

        var error = document.Error!;
        Assert.Null(document.Name);
        Assert.Equal("name", error.Field);
        Assert.StartsWith($"invalid name '{name.Trim('\'')}': a name is lowercase letters, digits and '-', in labels separated by '.'", error.Message);
    }

    [Theory]
    [InlineData("default-petstore-8080")]
    [InlineData("petstore.example.com")]
    [InlineData("8080")]
    [InlineData("a")]
    public void ValidNames_AreAccepted(string name)
    {
        Assert.Equal(name, Decode.Upstream($"name: '{name}'\ntype: static\n").Name);
    }

    [Fact]
    public void NameTooLong_IsRejected()
    {
        var label = new string('a', 64);

        var error = Decode.Error($"name: {label}\ntype: static\n", ConfigKind.Upstream);

        Assert.Contains("at most 63 characters", error.Message);
    }

    [Fact]
    public void MissingType_IsAnError_WithTheName()
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments("name: petstore\nspec: {}\n", ConfigKind.Upstream, "u.yaml"));

        Assert.Equal("petstore", document.Name);
        Assert.Equal(
            "u.yaml:1:1: upstream 'petstore': field 'type': is required (the upstream plugin: static, kubernetes, aws, azure, google or consul)",
            document.Error!.ToString());
    }

    [Theory]
    [InlineData("- request_matcher: {path_prefix: /, path_exact: /a}", "routes[0].request_matcher.path_exact", "only one of path_prefix, path_regex, path_exact may be set; 'path_prefix' is set too")]
    [InlineData("- request_matcher: {path_prefix: /}\n  event_matcher: {event_type: x}", "routes[0].event_matcher", "only one of request_matcher, event_matcher may be set; 'request_matcher' is set too")]
    [InlineData("- single_destination: {upstream: {name: a}, function: {upstream_name: a, function_name: f}}", "routes[0].single_destination.function", "only one of upstream, function may be set; 'upstream' is set too")]
    [InlineData("- single_destination: {function: {upstream_name: a}}", "routes[0].single_destination.function.function_name", "is required")]
    [InlineData("- multiple_destinations: [{weight: 1}]", "routes[0].multiple_destinations[0].destination", "is required")]
    public void Oneofs_AndRequiredDestinationFields(string routes, string field, string message)
    {
        var error = Decode.Error($"name: a\nroutes:\n{routes}\n", ConfigKind.VirtualService);

        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void RouteWithoutDestination_IsLeftToValidation()
    {
        var route = Decode.Service("name: a\nroutes:\n- request_matcher: {path_prefix: /}\n").Routes[0];

        Assert.Null(route.SingleDestination);
        Assert.Null(route.MultipleDestinations);
    }

    [Theory]
    [InlineData("- name: a", "expected a mapping of fields, got a list")]
    [InlineData("just text", "expected a mapping of fields, got the scalar 'just text'")]
    public void DocumentNotAMapping_IsAnError(string yaml, string message)
    {
        var error = Decode.Error(yaml, ConfigKind.Upstream);

        Assert.Null(error.Field);
        Assert.Equal(message, error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void ErrorAfterName_KeepsTheName()
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments("domains: 5\nname: shop\n", ConfigKind.VirtualService, "v.yaml"));

        Assert.Equal("shop", document.Name);
        Assert.Equal(ConfigKind.VirtualService, document.Kind);
        Assert.Equal("v.yaml:1:10: virtual service 'shop': field 'domains': expected a list of strings, got the scalar '5'", document.Error!.ToString());
    }

    [Fact]
    public void LongValues_AreCut_InMessages()
    {
        var error = Decode.Error($"name: a\ndomains: {new string('x', 100)}\n", ConfigKind.VirtualService);

        Assert.Equal($"expected a list of strings, got the scalar '{new string('x', 37)}...'", error.Message);
    }
}
