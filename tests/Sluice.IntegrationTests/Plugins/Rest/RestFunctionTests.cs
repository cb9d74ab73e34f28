using System.Net;
using System.Net.Http.Json;
using System.Text;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plugins.Rest;
using Sluice.Plan;
using Sluice.Plugins.Rest.Templates;
using Sluice.Plugins.Static;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Plugins.Rest;

/// <summary>
/// Gloo's petstore walkthrough (§4.4) end to end: a real gateway in front of a real petstore,
/// REST functions rendering path, method, headers and body, route parameters, response
/// transformations, and the 400/413 answers of §4.3. (Its collection runs alone: the parse
/// counter is process-wide.)
/// </summary>
[Collection(RestTemplatesCollection.Name)]
public sealed class RestFunctionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MaxBodyBytes = 4096;

    private PetstoreBackend _petstore = null!;
    private TestBackend _echo = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _petstore = await PetstoreBackend.StartAsync();
        _echo = await TestBackend.StartAsync("echo");
        var plugins = new PluginRegistry([new StaticUpstreamPlugin(), new RestFunctionPlugin(MaxBodyBytes), new RestRoutePlugin(MaxBodyBytes)]);
        _gateway = await GatewayFixture.StartAsync(plugins: plugins, output: output);
        await _gateway.ApplyAsync($$$"""
            name: petstore
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{{_petstore.Port}}} }] }
            service_info: { type: REST }
            functions:
            - name: findPetById
              spec: { path: "/api/pets/{{id}}", headers: { ":method": GET }, body: "" }
            - name: addPet
              spec:
                path: /api/pets
                headers: { ":method": POST, content-type: application/json }
                body: '{"id": {{id}},"name": "{{name}}","tag": "{{tag}}"}'
            - name: listPets
              spec: { path: /api/pets, headers: { ":method": GET }, body: "" }
            ---
            name: echo
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{{_echo.Port}}} }] }
            service_info: { type: REST }
            functions:
            - name: rewrite
              spec:
                path: '/echo/{{ id }}?q={{ default(q, "none") }}'
                headers: { ":method": PUT, x-name: '{{ upper(name) }}', x-agent: '{{ header("User-Agent") }}' }
                body: ""
            - name: passthrough
              spec: { path: "/echo/{{ id }}" }
            - name: unchanged
              spec: {}
            - name: lookup
              spec: { path: '/echo/pets/{{ id }}?tag={{ default(tag, "") }}', headers: { ":method": GET }, body: "" }
            - name: lookupRaw
              spec: { path: '/echo/files/{{ raw(file) }}', headers: { ":method": GET }, body: "" }
            - name: nested
              spec:
                headers: { ":method": POST }
                body: '{% for a in items %}{% for b in items %}{{ a }}{{ b }}{% endfor %}{% endfor %}'
            - name: render
              spec:
                headers: { ":method": POST }
                body: '{% for p in pets %}{{ p }}{% if not loop.is_last %},{% endif %}{% endfor %}'
            ---
            name: default
            routes:
            - request_matcher: { path_exact: /petstore/findPet }
              single_destination: { function: { upstream_name: petstore, function_name: findPetById } }
            - request_matcher: { path_exact: /petstore/findPetByHeader }
              single_destination: { function: { upstream_name: petstore, function_name: findPetById } }
              extensions: { parameters: { headers: { x-pet: '{id}' } } }
            - request_matcher: { path_prefix: /petstore/pets/ }
              single_destination: { function: { upstream_name: petstore, function_name: findPetById } }
              extensions: { parameters: { path: '/petstore/pets/{id}' } }
            - request_matcher: { path_exact: /petstore/addPet }
              single_destination: { function: { upstream_name: petstore, function_name: addPet } }
            - request_matcher: { path_exact: /petstore/describePet }
              single_destination: { function: { upstream_name: petstore, function_name: findPetById } }
              extensions:
                parameters: { headers: { x-pet: '{id}' } }
                response_params: { headers: { x-server: 'petstore-{server}' } }
                response_transformation:
                  headers: { ':status': '203', x-pet-name: '{{ name }}' }
                  body: 'pet {{ upper(name) }} ({{ default(tag, "untagged") }}) from server {{ extraction("server") }}'
            - request_matcher: { path_prefix: /echo/rewrite }
              single_destination: { function: { upstream_name: echo, function_name: rewrite } }
            - request_matcher: { path_prefix: /echo/passthrough }
              single_destination: { function: { upstream_name: echo, function_name: passthrough } }
              extensions: { parameters: { headers: { x-id: '{id}' } } }
            - request_matcher: { path_prefix: /echo/unchanged }
              single_destination: { function: { upstream_name: echo, function_name: unchanged } }
              prefix_rewrite: /rewritten
            - request_matcher: { path_prefix: /echo/lookup/raw }
              single_destination: { function: { upstream_name: echo, function_name: lookupRaw } }
            - request_matcher: { path_prefix: /echo/lookup }
              single_destination: { function: { upstream_name: echo, function_name: lookup } }
            - request_matcher: { path_prefix: /echo/nested }
              single_destination: { function: { upstream_name: echo, function_name: nested } }
            - request_matcher: { path_prefix: /echo/render }
              single_destination: { function: { upstream_name: echo, function_name: render } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _echo.DisposeAsync();
        await _petstore.DisposeAsync();
    }

    [Fact]
    public async Task FindPet_takes_the_id_from_the_json_body()
    {
        using var response = await PostAsync("/petstore/findPet", """{"id": 1}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Dog", (await response.Content.ReadFromJsonAsync<PetstoreBackend.Pet>())!.Name);
        // The function's ":method" and empty body won over the client's POST with a body.
        Assert.Equal("GET", _petstore.LastMethod);
        Assert.Equal("", _petstore.LastBody);
    }

    [Fact]
    public async Task FindPet_takes_the_id_from_a_header_parameter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/petstore/findPetByHeader");
        request.Headers.Add("x-pet", "2");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Cat", (await response.Content.ReadFromJsonAsync<PetstoreBackend.Pet>())!.Name);
    }

    [Fact]
    public async Task FindPet_takes_the_id_from_a_path_parameter()
    {
        var pet = await _gateway.Client.GetFromJsonAsync<PetstoreBackend.Pet>("/petstore/pets/3");
        Assert.Equal("Fish", pet!.Name);
    }

    [Fact]
    public async Task Header_parameter_that_does_not_match_leaves_the_body_field()
    {
        // x-pet is absent: its extraction is empty, and the JSON body's id still counts.
        using var response = await PostAsync("/petstore/findPetByHeader", """{"id": 2}""");
        Assert.Equal("Cat", (await response.Content.ReadFromJsonAsync<PetstoreBackend.Pet>())!.Name);
    }

    [Theory]
    [InlineData(null, "template_error", "variable 'id' is not defined")]
    [InlineData("""{"name": "no id"}""", "template_error", "variable 'id' is not defined")]
    [InlineData("id=1", "bad_request_body", "the request body is not JSON")]
    public async Task FindPet_without_an_id_answers_400(string? body, string code, string reason)
    {
        using var response = body is null ? await _gateway.Client.GetAsync("/petstore/findPet") : await PostAsync("/petstore/findPet", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, response.Headers.GetValues(SluiceError.Header).Single());
        Assert.Contains($"function 'findPetById': {reason}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AddPet_renders_the_body_template_and_the_pet_can_be_found()
    {
        using var added = await PostAsync("/petstore/addPet", """{"id": 40, "name": "Rex", "tag": "dog", "ignored": true}""");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("""{"id": 40,"name": "Rex","tag": "dog"}""", _petstore.LastBody);
        Assert.Equal("POST", _petstore.LastMethod);

        using var found = await PostAsync("/petstore/findPet", """{"id": 40}""");
        Assert.Equal("Rex", (await found.Content.ReadFromJsonAsync<PetstoreBackend.Pet>())!.Name);
    }

    [Fact]
    public async Task Response_transformation_renders_from_the_upstream_response()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/petstore/describePet");
        request.Headers.Add("x-pet", "3");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NonAuthoritativeInformation, response.StatusCode);
        Assert.Equal("Fish", response.Headers.GetValues("x-pet-name").Single());
        Assert.Equal("pet FISH (untagged) from server 1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Response_template_over_an_upstream_body_that_is_not_json_answers_502()
    {
        // Pet 999 does not exist: the petstore's 404 is plain text, not JSON. The upstream's
        // answer is at fault, not the client's request: a 502, not a 400.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/petstore/describePet");
        request.Headers.Add("x-pet", "999");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("bad_response_body", response.Headers.GetValues(SluiceError.Header).Single());
        Assert.Contains("response body is not JSON", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Method_path_query_headers_change_and_body_is_removed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo/rewrite")
        {
            Content = new StringContent("""{"id": "a b", "name": "rex"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("petstore-test/1");
        using var response = await _gateway.Client.SendAsync(request);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/echo/a b", echo.Path);
        Assert.Equal("?q=none", echo.Query);
        Assert.Equal("REX", echo.Headers["x-name"]);
        Assert.Equal("petstore-test/1", echo.Headers["x-agent"]);
        Assert.Equal("", echo.Body);
        Assert.False(echo.Headers.ContainsKey("content-length") && echo.Headers["content-length"] != "0");
    }

    [Fact]
    public async Task Rendered_header_with_a_line_break_answers_400()
    {
        using var response = await PostAsync("/echo/rewrite", "{\"id\": 1, \"name\": \"a\\r\\nx-injected: yes\"}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("header 'x-name' rendered with a line break", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Passthrough_body_is_sent_unchanged_after_its_fields_were_read()
    {
        const string body = """{"id": 5, "note": "kept as sent"}""";
        using var response = await PostAsync("/echo/passthrough", body);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/echo/5", echo.Path);
        Assert.Equal("POST", echo.Method);
        Assert.Equal(body, echo.Body);
        Assert.Equal("application/json; charset=utf-8", echo.Headers["content-type"]);
    }

    [Fact]
    public async Task Passthrough_body_is_not_read_when_a_parameter_supplies_every_variable()
    {
        // Not JSON, and never parsed: the header supplies id.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo/passthrough") { Content = new StringContent("raw bytes, not JSON") };
        request.Headers.Add("x-id", "7");
        using var response = await _gateway.Client.SendAsync(request);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/echo/7", echo.Path);
        Assert.Equal("raw bytes, not JSON", echo.Body);
    }

    [Fact]
    public async Task Empty_spec_forwards_as_the_route_would()
    {
        using var response = await PostAsync("/echo/unchanged/x?y=1", "not json, untouched");
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal(("POST", "/rewritten/x", "?y=1", "not json, untouched"), (echo.Method, echo.Path, echo.Query, echo.Body));
    }

    [Fact]
    public async Task Loops_render_from_body_lists()
    {
        using var response = await PostAsync("/echo/render", """{"pets": ["a", "b", "c"]}""");
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("a,b,c", echo.Body);
    }

    [Theory]
    [InlineData("../../admin", "/echo/pets/..%2F..%2Fadmin")]
    [InlineData("%2e%2e/%2e%2e/admin", "/echo/pets/%252e%252e%2F%252e%252e%2Fadmin")]
    [InlineData("%2E%2e", "/echo/pets/%252E%252e")]
    [InlineData("1?role=admin", "/echo/pets/1%3Frole=admin")]
    [InlineData("1#x", "/echo/pets/1%23x")]
    [InlineData("a b;c", "/echo/pets/a%20b%3Bc")]
    public async Task Client_values_stay_inside_their_path_segment(string id, string expectedTarget)
    {
        using var response = await PostAsync("/echo/lookup", JsonBody(("id", id)));
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal(expectedTarget + "?tag=", echo.Headers["x-echo-raw-target"]);
        Assert.Equal("?tag=", echo.Query);
    }

    [Fact]
    public async Task Client_values_stay_inside_their_query_value()
    {
        using var response = await PostAsync("/echo/lookup", JsonBody(("id", "1"), ("tag", "x&role=admin#f")));
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/echo/pets/1?tag=x%26role%3Dadmin%23f", echo.Headers["x-echo-raw-target"]);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public async Task Client_value_that_is_a_dot_segment_answers_400(string id)
    {
        var before = _echo.Requests;
        using var response = await PostAsync("/echo/lookup", JsonBody(("id", id)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_path_value", response.Headers.GetValues(SluiceError.Header).Single());
        Assert.Equal(before, _echo.Requests);
    }

    [Fact]
    public async Task Raw_lets_a_value_carry_slashes_but_never_a_dot_segment()
    {
        using var response = await PostAsync("/echo/lookup/raw", JsonBody(("file", "docs/a.txt")));
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/echo/files/docs/a.txt", echo.Headers["x-echo-raw-target"]);

        using var escaping = await PostAsync("/echo/lookup/raw", JsonBody(("file", "../../admin")));
        Assert.Equal(HttpStatusCode.BadRequest, escaping.StatusCode);
        Assert.Equal("bad_path_value", escaping.Headers.GetValues(SluiceError.Header).Single());
    }

    [Fact]
    public async Task Nested_loop_over_a_large_list_stops_at_the_cap_with_413()
    {
        var before = _echo.Requests;
        // 700 items nested: 490,000 iterations unbounded; the caps stop it long before.
        var items = "[" + string.Join(",", Enumerable.Repeat("\"ab\"", 700)) + "]";
        using var response = await PostAsync("/echo/nested", "{\"items\": " + items + "}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("template_too_large", response.Headers.GetValues(SluiceError.Header).Single());
        Assert.Equal(before, _echo.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_over_the_limit_answers_413(bool declareLength)
    {
        var json = "{\"id\": 1, \"pad\": \"" + new string('x', (int)MaxBodyBytes) + "\"}";
        HttpContent content = declareLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(json)));
        using var response = await _gateway.Client.PostAsync("/petstore/findPet", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", response.Headers.GetValues(SluiceError.Header).Single());
    }

    [Fact]
    public async Task Requests_never_parse_templates()
    {
        var function = _gateway.Server.Loop.Latest!.Result.Plan.Clusters.Single(c => c.Name == "petstore").Functions[0].Invoker;
        Assert.Equal("/api/pets/{{id}}", Assert.IsType<RestFunctionSpec>(function).Path!.Source);

        var parsed = Template.ParseCount;
        for (var i = 0; i < 20; i++)
        {
            using var response = await PostAsync("/petstore/findPet", """{"id": 1}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(parsed, Template.ParseCount);
    }

    [Fact]
    public async Task Template_error_rejects_the_upstream_and_the_last_good_version_serves()
    {
        // Only the upstream changes; the virtual service and the echo upstream stay as they are.
        await _gateway.ApplyAsync($$$"""
            name: petstore
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{{_petstore.Port}}} }] }
            service_info: { type: REST }
            functions:
            - name: findPetById
              spec: { path: "/api/pets/{{ id ", headers: { ":method": GET }, body: "" }
            """);
        var status = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "petstore").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("functions[0] (findPetById): spec.path: template error at line 1, column 11: '{{' is not closed with '}}'", status.Reason);

        using var response = await PostAsync("/petstore/findPet", """{"id": 2}""");
        Assert.Equal("Cat", (await response.Content.ReadFromJsonAsync<PetstoreBackend.Pet>())!.Name);
    }

    private static string JsonBody(params (string Name, string Value)[] fields) =>
        System.Text.Json.JsonSerializer.Serialize(fields.ToDictionary(f => f.Name, f => f.Value));

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _gateway.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>A body sent chunked: the gateway learns its size only by reading.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
