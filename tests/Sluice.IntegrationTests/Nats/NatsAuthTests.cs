using System.Net;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>Credentials come from a secret: a token, or a user and password.</summary>
public sealed class NatsAuthTests
{
    [Theory]
    [InlineData("authorization { token: \"s3cret\" }", "token", "s3cret", null)]
    [InlineData("authorization { user: \"gw\", password: \"pa55\" }", "username", "gw", "pa55")]
    public async Task Credentials_from_the_secret_are_used_and_wrong_ones_are_a_500(string serverAuth, string key, string value, string? password)
    {
        await using var nats = await NatsServer.StartAsync(serverAuth);
        await using var gateway = await GatewayFixture.StartAsync();
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
            service_info: { type: nats, properties: { secret_ref: nats-creds } }
            ---
            name: bad
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { secret_ref: wrong-creds, op_timeout: 500ms } }
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
        Assert.Contains("Authorization Violation", text);
    }
}
