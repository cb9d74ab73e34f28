using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Events;

/// <summary>
/// Events sent by the official CloudEvents SDK, in binary and structured modes, reach the route
/// for their type (an HTTP upstream or a NATS subject) intact; batches and malformed events are
/// refused with the reason.
/// </summary>
public sealed class CloudEventRoutingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly JsonEventFormatter Formatter = new();
    private TestBackend _backend = null!;
    private NatsServer _nats = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _nats = await NatsServer.StartAsync();
        _gateway = await GatewayFixture.StartAsync(output: output);
        await _gateway.ApplyAsync($$"""
            {{TestConfig.Upstream("backend", _backend.Port)}}
            name: bus
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{_nats.Port}} }] }
            service_info: { type: nats, properties: { headers: ["ce-*", content-type] } }
            ---
            name: default
            routes:
            - event_matcher: { event_type: com.example.order.created }
              single_destination: { upstream: { name: backend } }
            - event_matcher: { event_type: com.example.audit }
              single_destination: { function: { upstream_name: bus, function_name: audit.events } }
            - request_matcher: { path_prefix: /other }
              single_destination: { upstream: { name: backend } }
            - request_matcher: { path_prefix: /webhook }
              single_destination: { upstream: { name: backend } }
              extensions: { cloudevents: { deliver_as: binary, type: com.example.webhook.received, source: /sluice/webhooks, subject: github } }
            - request_matcher: { path_prefix: /hook-to-nats }
              single_destination: { function: { upstream_name: bus, function_name: hooks.in } }
              extensions: { cloudevents: { type: com.example.hook, source: /sluice/hooks } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _nats.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private static CloudEvent Event(string type) => new()
    {
        Id = "evt-42",
        Source = new Uri("urn:example:shop"),
        Type = type,
        DataContentType = "application/json",
        Data = new { order = 7, item = "lamp" },
    };

    private static void StripCeHeaders(HttpContent content)
    {
        foreach (var name in content.Headers.Select(h => h.Key).Where(k => k.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            content.Headers.Remove(name);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpContent content, string path = "/events") =>
        await _gateway.Client.PostAsync(path, content);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        Assert.Contains(reason, body);
    }

    [Fact]
    public async Task Binary_mode_event_reaches_its_route_with_headers_and_data()
    {
        using var response = await SendAsync(Event("com.example.order.created").ToHttpContent(ContentMode.Binary, Formatter));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("/events", echo.Path);
        Assert.Equal("com.example.order.created", echo.Headers["ce-type"]);
        Assert.Equal("evt-42", echo.Headers["ce-id"]);
        Assert.Equal("urn:example:shop", echo.Headers["ce-source"]);
        Assert.Equal("{\"order\":7,\"item\":\"lamp\"}", echo.Body);
    }

    [Fact]
    public async Task Structured_mode_event_is_routed_by_its_body_and_forwarded_whole()
    {
        using var content = Event("com.example.order.created").ToHttpContent(ContentMode.Structured, Formatter);
        var sent = await content.ReadAsStringAsync();
        // The SDK repeats the attributes as ce-* headers; without them only the body can route it.
        StripCeHeaders(content);
        using var response = await SendAsync(content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal(sent, echo.Body);
        Assert.StartsWith("application/cloudevents+json", echo.Headers["content-type"]);

        // What arrived is still a CloudEvent the SDK reads back.
        var received = Formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(echo.Body), null, null);
        Assert.Equal("com.example.order.created", received.Type);
        Assert.Equal("evt-42", received.Id);
    }

    [Fact]
    public async Task Event_of_a_type_no_route_takes_is_404()
    {
        using var unknown = Event("com.example.unknown").ToHttpContent(ContentMode.Structured, Formatter);
        StripCeHeaders(unknown);
        using var structured = await SendAsync(unknown);
        await AssertRefusedAsync(structured, HttpStatusCode.NotFound, "no_route", "POST /events");
        using var binary = await SendAsync(Event("com.example.unknown").ToHttpContent(ContentMode.Binary, Formatter));
        Assert.Equal(HttpStatusCode.NotFound, binary.StatusCode);
    }

    [Fact]
    public async Task Event_can_go_to_a_nats_subject_with_its_attributes_as_headers()
    {
        await using var observer = await RawNatsClient.ConnectAsync(_nats.Port);
        await observer.SubscribeAsync("audit.events");
        using var response = await SendAsync(Event("com.example.audit").ToHttpContent(ContentMode.Binary, Formatter));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await observer.NextAsync();
        Assert.Equal("{\"order\":7,\"item\":\"lamp\"}", Encoding.UTF8.GetString(message.Payload));
        Assert.Contains("ce-type: com.example.audit\r\n", message.Headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ce-id: evt-42\r\n", message.Headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Batch_mode_is_refused_with_the_reason()
    {
        using var content = new[] { Event("com.example.order.created"), Event("com.example.audit") }.ToHttpContent(Formatter);
        using var response = await SendAsync(content);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "cloudevents_batch_unsupported", "batch mode");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("specversion")]
    [InlineData("type")]
    public async Task Structured_event_missing_a_required_attribute_is_400_naming_it(string attribute)
    {
        using var content = Event("com.example.order.created").ToHttpContent(ContentMode.Structured, Formatter);
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await content.ReadAsStringAsync())!;
        json.Remove(attribute);
        using var broken = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/cloudevents+json");
        using var response = await SendAsync(broken);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "malformed_cloudevent", $"missing the required attribute '{attribute}'");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    public async Task Binary_event_missing_a_required_attribute_is_400_naming_it(string attribute)
    {
        using var content = Event("com.example.order.created").ToHttpContent(ContentMode.Binary, Formatter);
        content.Headers.Remove("ce-" + attribute);
        using var response = await SendAsync(content);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "malformed_cloudevent", $"missing the required attribute '{attribute}' (header ce-{attribute})");
    }

    [Fact]
    public async Task Other_spec_versions_and_broken_json_are_400()
    {
        using var old = new StringContent("""{"specversion":"0.3","id":"1","source":"s","type":"com.example.order.created"}""", Encoding.UTF8, "application/cloudevents+json");
        await AssertRefusedAsync(await SendAsync(old), HttpStatusCode.BadRequest, "malformed_cloudevent", "specversion '0.3'");
        using var broken = new StringContent("{\"specversion\":", Encoding.UTF8, "application/cloudevents+json");
        await AssertRefusedAsync(await SendAsync(broken), HttpStatusCode.BadRequest, "malformed_cloudevent", "not valid JSON");
    }

    [Fact]
    public async Task Oversized_structured_event_is_413()
    {
        var big = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":\"" + new string('x', 1100 * 1024) + "\"}";
        using var content = new StringContent(big, Encoding.UTF8, "application/cloudevents+json");
        await AssertRefusedAsync(await SendAsync(content), HttpStatusCode.RequestEntityTooLarge, "cloudevent_too_large", "at most");
    }

    [Fact]
    public async Task Gloo_x_event_type_still_routes_and_other_paths_are_never_read()
    {
        using var gloo = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json");
        gloo.Headers.Add("X-Event-Type", "com.example.order.created");
        using var response = await SendAsync(gloo);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // A malformed "event" on another path is none of the event checks' business.
        using var other = new StringContent("not json", Encoding.UTF8, "application/cloudevents+json");
        using var passed = await SendAsync(other, "/other");
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
    }

    [Fact]
    public async Task Route_option_delivers_a_plain_request_as_a_binary_mode_cloudevent()
    {
        using var plain = new StringContent("{\"action\":\"opened\"}", Encoding.UTF8, "application/json");
        using var response = await SendAsync(plain, "/webhook");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;

        // Rebuild what the destination received and let the SDK read it as a CloudEvent.
        using var received = new HttpRequestMessage(HttpMethod.Post, "http://destination/webhook")
        {
            Content = new StringContent(echo.Body),
        };
        received.Content.Headers.Remove("Content-Type");
        foreach (var (name, value) in echo.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.Ordinal) || h.Key == "content-type"))
        {
            received.Content.Headers.TryAddWithoutValidation(name, value);
        }
        var cloudEvent = await received.ToCloudEventAsync(Formatter);
        Assert.Equal(CloudEventsSpecVersion.V1_0, cloudEvent.SpecVersion);
        Assert.Equal("com.example.webhook.received", cloudEvent.Type);
        Assert.Equal("/sluice/webhooks", cloudEvent.Source!.OriginalString);
        Assert.Equal("github", cloudEvent.Subject);
        Assert.True(Guid.TryParse(cloudEvent.Id, out _), cloudEvent.Id);
        Assert.InRange(cloudEvent.Time!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.StartsWith("application/json", cloudEvent.DataContentType);
        Assert.Equal("{\"action\":\"opened\"}", echo.Body);

        // Each request is its own event.
        using var again = await SendAsync(new StringContent("{}", Encoding.UTF8, "application/json"), "/webhook");
        var second = (await again.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.NotEqual(echo.Headers["ce-id"], second.Headers["ce-id"]);
    }

    [Fact]
    public async Task Route_option_leaves_a_request_that_already_is_a_cloudevent_unchanged()
    {
        using var response = await SendAsync(Event("com.example.order.created").ToHttpContent(ContentMode.Binary, Formatter), "/webhook");
        var echo = (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
        Assert.Equal("com.example.order.created", echo.Headers["ce-type"]);
        Assert.Equal("evt-42", echo.Headers["ce-id"]);
        Assert.Equal("urn:example:shop", echo.Headers["ce-source"]);
    }

    [Fact]
    public async Task Route_option_delivers_to_nats_with_the_attributes_as_nats_headers()
    {
        await using var observer = await RawNatsClient.ConnectAsync(_nats.Port);
        await observer.SubscribeAsync("hooks.in");
        using var response = await SendAsync(new StringContent("{\"n\":1}", Encoding.UTF8, "application/json"), "/hook-to-nats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await observer.NextAsync();
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(message.Payload));
        Assert.Contains("ce-specversion: 1.0\r\n", message.Headers);
        Assert.Contains("ce-type: com.example.hook\r\n", message.Headers);
        Assert.Contains("ce-source: /sluice/hooks\r\n", message.Headers);
        Assert.Matches(@"ce-id: [0-9a-f-]{36}\r\n", message.Headers);
        Assert.Contains("content-type: application/json", message.Headers);
    }
}
