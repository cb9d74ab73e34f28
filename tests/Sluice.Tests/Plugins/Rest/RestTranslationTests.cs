using Sluice.Api;
using Sluice.Plan;
using Sluice.Plugins.Rest;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins.Rest;

/// <summary>REST function specs and route parameters at config time: what is claimed, compiled, or rejected and where.</summary>
public sealed class RestTranslationTests
{
    private const string Petstore = """
        name: petstore
        type: static
        spec: { hosts: [{ addr: 10.0.0.1, port: 8080 }] }
        service_info: { type: REST }
        functions:

        """;

    [Fact]
    public void Petstore_functions_compile_their_templates_once()
    {
        var result = Translate(Petstore + """
            - name: findPetById
              spec: { path: "/api/pets/{{id}}", headers: { ":method": GET }, body: "" }
            - name: addPet
              spec:
                path: /api/pets
                headers: { ":method": POST, content-type: application/json }
                body: '{"id": {{id}},"name": "{{name}}","tag": "{{tag}}"}'
            - name: passthrough
              spec: { path: /api/pets }
            """);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "petstore").State);
        var functions = result.Plan.Clusters[0].Functions;

        var find = Assert.IsType<RestFunctionSpec>(functions[0].Invoker);
        Assert.Equal("/api/pets/{{id}}", find.Path!.Source);
        Assert.Equal("GET", find.Method!.Constant);
        Assert.True(find.RemoveBody);
        Assert.Equal(["id"], find.Variables);

        var add = Assert.IsType<RestFunctionSpec>(functions[1].Invoker);
        Assert.Equal("/api/pets", add.Path!.Constant);
        Assert.Equal("content-type", Assert.Single(add.Headers).Name);
        Assert.Equal(["id", "name", "tag"], add.Variables.Order(StringComparer.Ordinal));
        Assert.False(add.RemoveBody);

        var passthrough = Assert.IsType<RestFunctionSpec>(functions[2].Invoker);
        Assert.Null(passthrough.Body);
        Assert.False(passthrough.RemoveBody);
        Assert.Empty(passthrough.Variables);
    }

    [Fact]
    public void Equal_specs_compare_equal_so_invokers_survive_reloads()
    {
        const string yaml = Petstore + """
            - name: f
              spec: { path: "/api/pets/{{id}}", headers: { ":method": GET }, body: "" }
            """;
        Assert.Equal(Translate(yaml).Plan.Clusters[0], Translate(yaml).Plan.Clusters[0]);
        Assert.NotEqual(Translate(yaml).Plan.Clusters[0], Translate(yaml.Replace("{{id}}", "{{ id }}")).Plan.Clusters[0]);
    }

    [Theory]
    [InlineData("{ body: { value: '' } }", true, null)]
    [InlineData("{ body: { value: 'x{{y}}' } }", false, "x{{y}}")]
    [InlineData("{ body: null }", false, null)]
    [InlineData("{ path: { value: /a } }", false, null)]
    public void Wrapped_scalars_are_accepted(string spec, bool removeBody, string? body)
    {
        var result = Translate(Petstore + $"- name: f\n  spec: {spec}\n");
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "petstore").State);
        var function = Assert.IsType<RestFunctionSpec>(result.Plan.Clusters[0].Functions[0].Invoker);
        Assert.Equal(removeBody, function.RemoveBody);
        Assert.Equal(body, function.Body?.Source);
    }

    [Theory]
    [InlineData("{ path: '/api/pets/{{ id' }", "functions[0] (f): spec.path: template error at line 1, column 11: '{{' is not closed with '}}'")]
    [InlineData("{ headers: { ':method': '{{ upper(m }}' } }", "functions[0] (f): spec.headers.:method: template error at line 1, column 12: expected ',' or ')'")]
    [InlineData("{ headers: { x-id: '{{ nope(id) }}' } }", "functions[0] (f): spec.headers.x-id: template error at line 1, column 4: unknown function 'nope'")]
    [InlineData("{ body: \"{\\n  \\\"a\\\": {% if x %}1\\n}\" }", "functions[0] (f): spec.body: template error at line 2, column 8: '{% if %}' is not closed with '{% endif %}'")]
    [InlineData("{ headers: { ':method': 'GE T' } }", "spec.headers.:method: 'GE T' is not an HTTP method")]
    [InlineData("{ headers: { ':status': '200' } }", "spec.headers.:status: ':status' is not a header name that can be set")]
    [InlineData("{ headers: { content-length: '5' } }", "header 'content-length' is managed by the gateway")]
    [InlineData("{ path: 'api/pets' }", "spec.path: 'api/pets' must start with '/'")]
    [InlineData("{ path: /a, headers: { ':path': /b } }", "spec.headers.:path: conflicts with spec.path")]
    [InlineData("{ body: x, passthrough_body: true }", "spec.passthrough_body: cannot be combined with a body template")]
    [InlineData("{ headers: [a, b] }", "spec.headers: expected a map of strings")]
    public void Bad_specs_reject_the_upstream_naming_field_and_position(string spec, string expected)
    {
        var result = Translate(Petstore + $"- name: f\n  spec: {spec}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "petstore");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }

    [Theory]
    // Another service type (gRPC now needs descriptors, so NATS stands in): not REST's to claim.
    [InlineData("service_info: { type: nats }\nfunctions: [{ name: f, spec: { path: /a } }]", false)]
    [InlineData("service_info: { type: rest }\nfunctions: [{ name: f, spec: {} }]", true)]
    [InlineData("functions: [{ name: f, spec: { path: /a, headers: { ':method': POST } } }]", true)]
    [InlineData("functions: [{ name: f, spec: { function_name: g } }]", false)]
    [InlineData("functions: [{ name: f }]", false)]
    public void Claims_rest_services_and_transformation_shaped_specs(string tail, bool claimed)
    {
        var result = Translate($"name: up\ntype: static\nspec: {{ hosts: [{{ addr: 10.0.0.1, port: 80 }}] }}\n{tail}\n");
        var function = result.Plan.Clusters[0].Functions[0];
        Assert.Equal(claimed, function.Invoker is RestFunctionSpec);
    }

    [Fact]
    public void Route_parameters_compile_into_plugin_data()
    {
        var result = Translate(Petstore + """
            - name: findPetById
              spec: { path: "/api/pets/{{id}}", headers: { ":method": GET }, body: "" }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /petstore/findPet }
              single_destination: { function: { upstream_name: petstore, function_name: findPetById } }
              extensions:
                parameters: { headers: { x-pet: '{id}', x-token: anything }, path: { value: '/petstore/findPet/{kind}' } }
                response_transformation: { headers: { ':status': '201', x-pet: '{{ name }}' }, body: '{{ upper(name) }}' }
                response_params: { headers: { x-backend: 'b-{server}' } }
            """);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.VirtualService, "default").State);
        var data = Assert.IsType<RestRouteData>(result.Plan.VirtualHosts[0].Routes[0].Data.Get<RestRouteData>());
        Assert.Equal(["x-pet", "x-token"], data.Parameters!.Headers.Select(h => h.Name));
        Assert.Equal(["id"], data.Parameters.Headers[0].Pattern.Names);
        Assert.Null(data.Parameters.Headers[1].Pattern.Regex);
        Assert.Equal("/petstore/findPet/{kind}", data.Parameters.Path!.Source);
        Assert.Equal("{{ upper(name) }}", data.Response!.Body!.Source);
        Assert.Equal("b-{server}", data.Response.Parameters!.Headers[0].Pattern.Source);
    }

    [Theory]
    [InlineData("parameters: { headers: { x-pet: '{id' } }", "routes[0].extensions.parameters.headers.x-pet: '{id' is not valid syntax. {} braces must be closed and variable names must satisfy regex ([\\-._[:alnum:]]+)")]
    [InlineData("parameters: { path: '/a/{b c}' }", "routes[0].extensions.parameters.path: '/a/{b c}' is not valid syntax")]
    [InlineData("parameters: { headers: { ':status': '{x}' } }", "':status' is not a header name this source can read")]
    [InlineData("response_transformation: { body: '{{ x' }", "routes[0].extensions.response_transformation.body: template error at line 1, column 1")]
    [InlineData("response_template: { headers: { x-a: '{% for %}' } }", "routes[0].extensions.response_template.headers.x-a: template error at line 1, column 8: expected a loop variable")]
    [InlineData("response_transformation: { body: a }\n    response_template: { body: b }", "extensions.response_template: is the 0.2.x name of 'response_transformation'")]
    public void Bad_route_extensions_reject_the_virtual_service(string extensions, string expected)
    {
        var result = Translate(Petstore + $$"""
            - name: f
              spec: { path: /a }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { function: { upstream_name: petstore, function_name: f } }
              extensions:
                {{extensions}}
            """);
        var status = result.StatusOf(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }

    [Fact]
    public void Parameters_on_an_upstream_route_warn()
    {
        var result = Translate(Backend + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
              extensions: { parameters: { headers: { x-a: '{a}' } } }
            """);
        var status = result.StatusOf(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("no function destination", status.Reason);
    }
}
