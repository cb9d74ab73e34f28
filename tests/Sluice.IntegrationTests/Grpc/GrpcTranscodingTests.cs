using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Sluice.IntegrationTests.Grpc.Proto;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Grpc;

/// <summary>
/// JSON clients in front of the gateway, a real gRPC server (Grpc.AspNetCore, HTTP/2 cleartext,
/// gzip responses) behind it: both mappings, every field kind, streaming both ways, deadlines,
/// every status code, and bad input answered 400/413 while the gateway keeps serving.
/// Google.Protobuf's own JSON parser is the reference for what the server should receive.
/// </summary>
public sealed class GrpcTranscodingTests(ITestOutputHelper output) : GatewayTest(output)
{
    private static readonly JsonParser Reference = new(JsonParser.Settings.Default.WithTypeRegistry(TypeRegistry.FromFiles(TranscodingReflection.Descriptor)));

    private TranscodingBackend _grpc = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _grpc = await TranscodingBackend.StartAsync();
        Gateway.Store.SetFiles(new Dictionary<string, ReadOnlyMemory<byte>> { ["transcoding.descriptors"] = TranscodingBackend.DescriptorSet() });
        await Gateway.ApplyAsync($$"""
            name: grpc
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_grpc.Port}} }] }
            service_info:
              type: gRPC
              properties: { grpc_service_names: [Transcoding, sluice.test.Other], descriptors_file_ref: transcoding.descriptors, request_headers: [x-user], response_headers: [x-served-by, x-cost] }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /gloo/echo }
              single_destination: { function: { upstream_name: grpc, function_name: Transcoding.Echo } }
            - request_matcher: { path_prefix: /gloo/ambiguous }
              single_destination: { function: { upstream_name: grpc, function_name: Echo } }
            - request_matcher: { path_prefix: /gloo/shelf/ }
              single_destination: { function: { upstream_name: grpc, function_name: GetShelf } }
              extensions: { parameters: { headers: { x-shelf: '{shelf}' }, path: '/gloo/shelf/{name}' } }
            - request_matcher: { path_prefix: /gloo/delay }
              single_destination: { function: { upstream_name: grpc, function_name: Delay } }
              extensions: { timeout: 1s }
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: grpc } }
            """);
    }

    public override async Task DisposeAsync()
    {
        await _grpc.DisposeAsync();
        await base.DisposeAsync();
    }

    private const string AllKindsJson = """
        {
          "d": 1.5, "f": -2.25, "i32": -7, "i64": "-9007199254740993", "u32": 4000000000, "u64": "18446744073709551615",
          "s32": -3, "s64": "-4", "fx32": 5, "fx64": "6", "sf32": -8, "sf64": "-9",
          "b": true, "s": "h\u00e9llo \"q\"", "by": "AAEC/w==", "color": "GREEN", "inner": { "name": "in", "value": 3 },
          "ri32": [1, 2, 3], "rs": ["a", "b"], "rinner": [{ "name": "x" }, { "value": 4 }],
          "msi": { "k": 1 }, "mli": { "10": { "name": "ten" } }, "mbs": { "true": "yes" },
          "oi": { "name": "chosen" },
          "ts": "2026-12-02T10:00:00.500Z", "dur": "1.500s", "wi32": 0, "ws": "w", "wb": false,
          "st": { "a": [1, "x", null, true] }, "v": { "n": 1 }, "lv": [1, "two"], "fm": "inner.name,rs",
          "e": {}, "any": { "@type": "type.googleapis.com/sluice.test.Inner", "name": "packed" },
          "customName": "renamed", "opt": 0, "rcolor": ["RED", 2]
        }
        """;

    [Fact]
    public async Task Gloo_mapping_sends_every_field_kind_and_answers_the_json_form()
    {
        using var response = await PostAsync("/gloo/echo", AllKindsJson);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        var expected = Reference.Parse<AllKinds>(AllKindsJson);
        Assert.Equal(expected, _grpc.Calls.Last<AllKinds>());
        Assert.Equal(expected, Reference.Parse<AllKinds>(body));
        Assert.Contains("\"i64\":\"-9007199254740993\"", body);
        Assert.Contains("\"customName\":\"renamed\"", body);
        Assert.Contains("\"color\":\"GREEN\"", body);
        Assert.Contains("\"by\":\"AAEC/w==\"", body);
        Assert.DoesNotContain("\"i32\":0", body);
    }

    [Fact]
    public async Task Numbers_for_64_bit_fields_special_floats_url_safe_base64_and_original_names_are_accepted()
    {
        const string json = """{ "d": "NaN", "f": "-Infinity", "i64": 12, "by": "AAEC_w", "renamed_field": "orig", "color": 1 }""";
        using var response = await PostAsync("/gloo/echo", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var received = _grpc.Calls.Last<AllKinds>();
        Assert.True(double.IsNaN(received.D));
        Assert.Equal(float.NegativeInfinity, received.F);
        Assert.Equal(12, received.I64);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, received.By.ToByteArray());
        Assert.Equal("orig", received.RenamedField);
        Assert.Equal(Color.Red, received.Color);
        Assert.Contains("\"d\":\"NaN\"", body);
        Assert.Contains("\"f\":\"-Infinity\"", body);
    }

    [Fact]
    public async Task Gloo_mapping_merges_path_header_and_query_parameters_into_the_body()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/gloo/shelf/fiction"))
        {
            request.Content = new StringContent("""{ "inner": { "name": "n" }, "shelf": 1, "tags": ["a"] }""", Encoding.UTF8, "application/json");
            request.Headers.Add("x-shelf", "42");
            using var response = await Gateway.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            // Extractions are merged after the body: the header's shelf wins.
            Assert.Equal(new ShelfRequest { Name = "fiction", Shelf = 42, Tags = { "a" }, Inner = new Inner { Name = "n" } }, _grpc.Calls.Last<ShelfRequest>());
            Assert.Equal("42", JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/gloo/shelf/x?tags=b&tags=c&inner.value=9"))
        {
            request.Headers.Add("x-shelf", "7");
            using var response = await Gateway.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            Assert.Equal(new ShelfRequest { Shelf = 7, Tags = { "b", "c" }, Inner = new Inner { Value = 9 } }, _grpc.Calls.Last<ShelfRequest>());
        }
    }

    [Fact]
    public async Task Annotations_bind_path_variables_including_nested_fields_and_additional_bindings()
    {
        using (var response = await Gateway.Client.GetAsync("/v1/shelves/7"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new ShelfRequest { Shelf = 7 }, _grpc.Calls.Last<ShelfRequest>());
            Assert.Equal("theme of 7", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("theme").GetString());
        }
        using (var response = await Gateway.Client.GetAsync("/v1/shelves/sci%20fi/named"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new ShelfRequest { Name = "shelves/sci fi/named" }, _grpc.Calls.Last<ShelfRequest>());
        }
        using (var response = await Gateway.Client.GetAsync("/v1/by-inner/deep/5"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new ShelfRequest { Inner = new Inner { Name = "deep", Value = 5 } }, _grpc.Calls.Last<ShelfRequest>());
        }
    }

    [Fact]
    public async Task Annotations_put_the_body_in_its_field_and_answer_the_response_body_field()
    {
        using (var response = await PostAsync("/v1/shelves/3/books", """{ "title": "T", "author": "A" }"""))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(new CreateBookRequest { Shelf = 3, Book = new Book { Title = "T", Author = "A" } }, _grpc.Calls.Last<CreateBookRequest>());
            Assert.Equal(new Book { Title = "T", Author = "A" }, Reference.Parse<Book>(body));
        }
        using (var response = await Gateway.Client.GetAsync("/v1/shelves/9/theme"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("\"theme of 9\"", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Annotations_take_the_remaining_fields_from_the_query_string()
    {
        using var response = await Gateway.Client.GetAsync("/v1/search?name=n&tags=a&tags=b&inner.name=deep&inner.value=2&color=GREEN");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(new ShelfRequest { Name = "n", Tags = { "a", "b" }, Inner = new Inner { Name = "deep", Value = 2 }, Color = Color.Green }, _grpc.Calls.Last<ShelfRequest>());
    }

    [Fact]
    public async Task Server_streaming_answers_a_json_array_or_ndjson()
    {
        using (var response = await Gateway.Client.GetAsync("/v1/list?count=3&prefix=s"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("""[{"name":"s0"},{"name":"s1","id":"1"},{"name":"s2","id":"2"}]""", body);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v1/list?count=2&prefix=n"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
            using var response = await Gateway.Client.SendAsync(request);
            Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("{\"name\":\"n0\"}\n{\"name\":\"n1\",\"id\":\"1\"}\n", await response.Content.ReadAsStringAsync());
        }
        using (var response = await Gateway.Client.GetAsync("/v1/list?count=5&prefix=f&fail_after=2"))
        {
            var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
            Assert.Equal(3, items.Count);
            var error = items[2].GetProperty("error");
            Assert.Equal(8, error.GetProperty("code").GetInt32());
            Assert.Equal("enough shelves", error.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task Client_streaming_reads_a_json_array_or_ndjson_body()
    {
        using (var response = await PostAsync("/v1/collect", """[{ "title": "a" }, { "title": "b", "author": "x" }]"""))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(new Shelf { Id = 2, Tags = { "a", "b" } }, Reference.Parse<Shelf>(body));
        }
        using var ndjson = new StringContent("{\"title\": \"c\"}\n\n{\"title\": \"d\"}\n{\"title\": \"e\"}\n", Encoding.UTF8, "application/x-ndjson");
        using (var response = await Gateway.Client.PostAsync("/v1/collect", ndjson))
        {
            Assert.Equal(new Shelf { Id = 3, Tags = { "c", "d", "e" } }, Reference.Parse<Shelf>(await response.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task The_route_timeout_is_the_calls_deadline()
    {
        // Warm: the first call pays for connections and JIT, which is not what this test measures.
        using (var quick = await PostAsync("/gloo/delay", """{ "millis": 1 }"""))
        {
            Assert.Equal(HttpStatusCode.OK, quick.StatusCode);
            Assert.Equal("{}", await quick.Content.ReadAsStringAsync());
        }

        var sent = DateTime.UtcNow;
        using var response = await PostAsync("/gloo/delay", """{ "millis": 10000 }""");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.GatewayTimeout, body);
        // The deadline reached the server: it ends the call a tenth before the route timeout.
        var deadline = _grpc.Calls.Deadlines.Last();
        Assert.True(deadline < sent.AddSeconds(1.5), $"deadline {deadline:O}, sent {sent:O}");
        // Usually the server's own DEADLINE_EXCEEDED is answered; on a loaded machine the gateway's
        // timeout for the route can fire first, and that is a 504 too.
        // Both are JSON: gRPC's status has a numeric code, the gateway's answer its error name.
        var code = JsonDocument.Parse(body).RootElement.GetProperty("code");
        if (code.ValueKind == JsonValueKind.Number)
        {
            Assert.Equal(4, code.GetInt32());
        }
        else
        {
            Assert.Equal("upstream_timeout", code.GetString());
            Assert.Equal("upstream_timeout", response.Headers.GetValues("x-sluice-error").Single());
        }
        Assert.True(DateTime.UtcNow - sent < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(1, 499)]
    [InlineData(2, 500)]
    [InlineData(3, 400)]
    [InlineData(4, 504)]
    [InlineData(5, 404)]
    [InlineData(6, 409)]
    [InlineData(7, 403)]
    [InlineData(8, 429)]
    [InlineData(9, 400)]
    [InlineData(10, 409)]
    [InlineData(11, 400)]
    [InlineData(12, 501)]
    [InlineData(13, 500)]
    [InlineData(14, 503)]
    [InlineData(15, 500)]
    [InlineData(16, 401)]
    public async Task Every_grpc_status_maps_to_its_http_status_with_a_json_error(int code, int status)
    {
        using var response = await PostAsync($"/v1/fail/{code}", """{ "message": "it failed: 100% é" }""");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal("it failed: 100% é", error.GetProperty("message").GetString());
        Assert.Equal(0, error.GetProperty("details").GetArrayLength());
    }

    [Fact]
    public async Task Error_details_are_decoded_through_the_descriptors()
    {
        using var response = await PostAsync("/v1/fail/9", """{ "message": "full", "with_details": true }""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var details = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("details");
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", details[0].GetProperty("@type").GetString());
        Assert.Equal("SHELF_FULL", details[0].GetProperty("reason").GetString());
        Assert.Equal("type.googleapis.com/sluice.test.Book", details[1].GetProperty("@type").GetString());
        Assert.Equal("detail", details[1].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("""{ "i32": 1, """, "malformed JSON")]
    [InlineData("""{ "i32": "abc" }""", "i32")]
    [InlineData("""{ "i32": 3000000000 }""", "i32")]
    [InlineData("""{ "by": "@@not base64@@" }""", "by")]
    [InlineData("""{ "color": "PURPLE" }""", "PURPLE")]
    [InlineData("""{ "nope": 1 }""", "nope")]
    [InlineData("""{ "inner": [1] }""", "inner")]
    public async Task Bad_input_is_a_400_naming_the_problem_and_the_gateway_keeps_serving(string json, string named)
    {
        using (var response = await PostAsync("/gloo/echo", json))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("grpc_bad_request", response.Headers.GetValues("x-sluice-error").Single());
            Assert.Contains(named, body);
            Assert.Contains("sluice.test.Transcoding.Echo", body);
        }
        using var good = await PostAsync("/gloo/echo", """{ "i32": 1 }""");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task A_bad_path_or_query_value_names_the_parameter()
    {
        using (var response = await Gateway.Client.GetAsync("/v1/shelves/seven"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("path variable 'shelf'", await response.Content.ReadAsStringAsync());
        }
        using (var response = await Gateway.Client.GetAsync("/v1/search?colour=GREEN"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("query parameter 'colour'", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var big = "{ \"s\": \"" + new string('x', 10 * 1024 * 1024) + "\" }";
        using (var response = await PostAsync("/gloo/echo", big))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("body_too_large", response.Headers.GetValues("x-sluice-error").Single());
        }
        using var good = await PostAsync("/gloo/echo", """{ "s": "small" }""");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_to_methods_are_404s_naming_the_candidates()
    {
        using (var response = await PostAsync("/gloo/ambiguous", "{}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Transcoding.Echo, Other.Echo", await response.Content.ReadAsStringAsync());
        }
        using (var response = await Gateway.Client.GetAsync("/v2/nothing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("grpc_method_not_found", response.Headers.GetValues("x-sluice-error").Single());
        }
    }

    [Fact]
    public async Task Only_allowed_request_headers_become_metadata()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gloo/echo") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-user", "ada");
        request.Headers.Add("x-secret", "no");
        using var response = await Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metadata = _grpc.Calls.Headers.Last();
        Assert.Equal("ada", metadata.GetValue("x-user"));
        Assert.Null(metadata.GetValue("x-secret"));
    }

    [Fact]
    public async Task Only_allowed_response_metadata_becomes_headers_from_headers_and_trailers()
    {
        using var echo = await PostAsync("/gloo/echo", "{}");
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Equal("echo", echo.Headers.GetValues("x-served-by").Single());
        Assert.Equal("3", echo.Headers.GetValues("x-cost").Single());
        Assert.False(echo.Headers.Contains("x-internal"));

        // A failed call answers trailers-only: its metadata comes with the status.
        using var failed = await PostAsync("/v1/fail/5", """{ "message": "no shelf" }""");
        Assert.Equal(HttpStatusCode.NotFound, failed.StatusCode);
        Assert.Equal("1", failed.Headers.GetValues("x-cost").Single());
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Gateway.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
