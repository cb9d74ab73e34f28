using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// Credentials come from a secret: a token, or a user and password. They go out in cleartext
/// only where the upstream says <c>tls: false</c>; the server's refusal reaches the log, not the client.
/// </summary>
public sealed class NatsAuthTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("authorization { token: \"s3cret\" }", "token", "s3cret", null)]
    [InlineData("authorization { user: \"gw\", password: \"pa55\" }", "username", "gw", "pa55")]
    public async Task Credentials_from_the_secret_are_used_and_wrong_ones_are_a_500(string serverAuth, string key, string value, string? password)
    {
        await using var nats = await NatsServer.StartAsync(serverAuth);
        var logs = new RecordingLoggerProvider(output)
            .Expect("Authorization Violation", "the wrong credentials are refused on purpose; the NATS client logs each refusal as an error");
        await using var gateway = await GatewayFixture.StartAsync(logs: logs);
        var secret = new List<KeyValuePair<string, string>> { new(key, value) };
        if (password is not null)
        {
            secret.Add(new("password", password));
        }
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["nats-creds"] = new(secret),
            ["wrong-creds"] = new([new("token", "nope")]),
        });
        await gateway.ApplyAsync($$"""
            name: good
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { secret_ref: nats-creds, tls: false } }
            ---
            name: bad
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { secret_ref: wrong-creds, op_timeout: 500ms, tls: false } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /good }
              single_destination: { function: { upstream_name: good, function_name: auth.ok } }
            - request_matcher: { path_prefix: /bad }
              single_destination: { function: { upstream_name: bad, function_name: auth.ok } }
            """);

        using var good = await gateway.Client.PostAsync("/good", new StringContent("x"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var bad = await gateway.Client.PostAsync("/bad", new StringContent("x"));
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, bad.StatusCode);
        Assert.Equal("nats_unavailable", bad.Headers.GetValues("x-sluice-error").Single());
        Assert.DoesNotContain("Authorization Violation", text);
        Assert.True(logs.Contains("Authorization Violation"));
    }

    [Fact]
    public async Task Credentials_are_never_sent_in_cleartext_unless_tls_false_is_written()
    {
        // A real nats-server without TLS that accepts the token: had the token gone out in
        // cleartext, the publish would succeed.
        await using var nats = await NatsServer.StartAsync("authorization { token: \"s3cret\" }");
        await using var gateway = await GatewayFixture.StartAsync(output: output);
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap> { ["nats-creds"] = new([new("token", "s3cret")]) });
        await gateway.ApplyAsync($$"""
            name: unsaid
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { secret_ref: nats-creds, op_timeout: 500ms } }
            ---
            name: cleartext
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { secret_ref: nats-creds, tls: false } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /unsaid }
              single_destination: { function: { upstream_name: unsaid, function_name: auth.ok } }
            - request_matcher: { path_prefix: /cleartext }
              single_destination: { function: { upstream_name: cleartext, function_name: auth.ok } }
            """);

        var reports = gateway.Server.Loop.Latest!.Result.Reports;
        var unsaid = reports.Single(r => r.Name == "unsaid").Status;
        Assert.Equal(StatusState.Warning, unsaid.State);
        Assert.Contains("service_info.properties.tls: not set, and secret 'nats-creds' holds credentials: they are sent only over TLS", unsaid.Reason);
        Assert.Equal(StatusState.Accepted, reports.Single(r => r.Name == "cleartext").Status.State);

        using var refused = await gateway.Client.PostAsync("/unsaid", new StringContent("x"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal("nats_unavailable", refused.Headers.GetValues("x-sluice-error").Single());
        using var allowed = await gateway.Client.PostAsync("/cleartext", new StringContent("x"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
