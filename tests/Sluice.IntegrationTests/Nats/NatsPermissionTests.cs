using System.Diagnostics;
using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// A real nats-server whose user may not publish to <c>denied.&gt;</c>: the server answers such a
/// publish with <c>-ERR 'Permissions Violation for Publish to "…"'</c> and drops the message. A
/// 200 means stored or accepted, so the gateway answers 500 <c>nats_publish_failed</c>, core and
/// JetStream alike; allowed subjects on the same connection are not affected. A core publish
/// knows at once (the PONG behind it); a JetStream publish gets no reply, so the first refusal of
/// a subject is known when op_timeout ends the wait, and later ones at once.
/// </summary>
public sealed class NatsPermissionTests
{
    private const string ServerAuth = """
        authorization {
          users = [
            { user: "gw", password: "pw", permissions: { publish: { deny: ["denied.>"] } } }
          ]
        }
        """;

    [Theory]
    [InlineData("nats")]
    [InlineData("nats-streaming")]
    public async Task A_publish_the_server_refuses_for_permissions_is_a_500(string serviceType)
    {
        await using var nats = await NatsServer.StartAsync(ServerAuth);
        await using var observer = await RawNatsClient.ConnectAsync(nats.Port, ",\"user\":\"gw\",\"pass\":\"pw\"");
        await observer.SubscribeAsync("denied.>");
        var logs = new RecordingLoggerProvider();
        await using var gateway = await StartGatewayAsync(nats, serviceType, serviceType == "nats" ? "20s" : "6s", logs);

        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.StartNew();
            using var denied = await gateway.Client.PostAsync("/denied", new StringContent("x"));
            var text = await denied.Content.ReadAsStringAsync();
            Assert.True(denied.StatusCode == HttpStatusCode.InternalServerError, $"{(int)denied.StatusCode}: {text}");
            Assert.Equal("nats_publish_failed", denied.Headers.GetValues("x-sluice-error").Single());
            Assert.Contains("not permitted to publish to 'denied.orders'", text);
            // The refusal is known from the server's answer, not from op_timeout (20 s core, 6 s
            // JetStream), except a JetStream subject's first.
            if (serviceType == "nats" || i > 0)
            {
                Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"took {started.Elapsed}");
            }
        }
        Assert.False(observer.TryNext(out _));
        Assert.True(logs.Contains("Permissions Violation for Publish to \"denied.orders\""));

        if (serviceType == "nats")
        {
            // The same connection still confirms what the user may publish.
            using var allowed = await gateway.Client.PostAsync("/allowed", new StringContent("y"));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
    }

    [Fact]
    public async Task Concurrent_publishes_to_a_denied_and_an_allowed_subject_each_get_their_own_answer()
    {
        await using var nats = await NatsServer.StartAsync(ServerAuth);
        await using var gateway = await StartGatewayAsync(nats, "nats", "5s", new RecordingLoggerProvider());

        var requests = Enumerable.Range(0, 200).Select(async i =>
        {
            var path = i % 2 == 0 ? "/denied" : "/allowed";
            using var response = await gateway.Client.PostAsync(path, new StringContent("x"));
            return (path, response.StatusCode);
        });
        var answers = await Task.WhenAll(requests);
        Assert.All(answers, a => Assert.Equal(a.path == "/denied" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, a.StatusCode));
    }

    /// <summary>A gateway whose upstream logs in as "gw"; /denied publishes to denied.orders, /allowed to allowed.orders.</summary>
    private static async Task<GatewayFixture> StartGatewayAsync(NatsServer nats, string serviceType, string opTimeout, RecordingLoggerProvider logs)
    {
        var gateway = await GatewayFixture.StartAsync(logs: logs);
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap> { ["nats-user"] = new([new("username", "gw"), new("password", "pw")]) });
        await gateway.ApplyAsync($$"""
            name: events
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: {{serviceType}}, properties: { secret_ref: nats-user, tls: false, op_timeout: {{opTimeout}} } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /denied }
              single_destination: { function: { upstream_name: events, function_name: denied.orders } }
            - request_matcher: { path_prefix: /allowed }
              single_destination: { function: { upstream_name: events, function_name: allowed.orders } }
            """);
        return gateway;
    }
}
