using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NATS.NKeys;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// NKey and creds (decentralized JWT) logins against a real nats-server configured for them.
/// The operator, account and user JWTs are minted here with NKeys (what <c>nsc</c> does), so no
/// tool beyond nats-server is needed.
/// </summary>
public sealed class NatsKeyAuthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_nkey_seed_from_the_secret_signs_the_login_and_a_wrong_one_is_a_500()
    {
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var stranger = KeyPair.CreatePair(PrefixByte.User);
        await using var nats = await NatsServer.StartAsync($"authorization {{ users: [ {{ nkey: {user.GetPublicKey()} }} ] }}");
        var logs = new RecordingLoggerProvider(output)
            .Expect("Authorization Violation", "the wrong key is refused on purpose; the NATS client logs each refusal as an error");
        await using var gateway = await GatewayFixture.StartAsync(logs: logs);
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["good-key"] = new([new("nkey", user.GetSeed())]),
            ["wrong-key"] = new([new("nkey", stranger.GetSeed())]),
        });
        await ApplyAsync(gateway, nats, "good-key", "wrong-key");

        await AssertLoginsAsync(gateway, logs);
    }

    [Fact]
    public async Task A_creds_file_from_the_secret_logs_in_to_an_operator_mode_server_and_a_wrong_one_is_a_500()
    {
        using var operatorKey = KeyPair.CreatePair(PrefixByte.Operator);
        using var account = KeyPair.CreatePair(PrefixByte.Account);
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var otherAccount = KeyPair.CreatePair(PrefixByte.Account);
        var operatorJwt = Jwt(operatorKey, operatorKey.GetPublicKey(), new JsonObject { ["type"] = "operator", ["version"] = 2 });
        var accountJwt = Jwt(operatorKey, account.GetPublicKey(), new JsonObject
        {
            ["limits"] = new JsonObject { ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["imports"] = -1, ["exports"] = -1, ["wildcards"] = true, ["conn"] = -1, ["leaf"] = -1 },
            ["type"] = "account",
            ["version"] = 2,
        });
        var userClaims = new JsonObject { ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["type"] = "user", ["version"] = 2 };
        var userJwt = Jwt(account, user.GetPublicKey(), userClaims);
        // Signed by an account the server does not know: refused.
        var strayJwt = Jwt(otherAccount, user.GetPublicKey(), userClaims.DeepClone().AsObject());
        await using var nats = await NatsServer.StartAsync($$"""
            operator: {{operatorJwt}}
            resolver: MEMORY
            resolver_preload: { {{account.GetPublicKey()}}: {{accountJwt}} }
            """, jetStream: false);
        var logs = new RecordingLoggerProvider(output)
            .Expect("Authorization Violation", "the wrong key is refused on purpose; the NATS client logs each refusal as an error");
        await using var gateway = await GatewayFixture.StartAsync(logs: logs);
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap>
        {
            ["good-creds"] = new([new("creds", Creds(userJwt, user.GetSeed()))]),
            ["wrong-creds"] = new([new("creds", Creds(strayJwt, user.GetSeed()))]),
        });
        await ApplyAsync(gateway, nats, "good-creds", "wrong-creds");

        await AssertLoginsAsync(gateway, logs);
    }

    [Fact]
    public async Task A_seed_that_is_not_one_is_a_precise_error_on_the_upstream()
    {
        await using var gateway = await GatewayFixture.StartAsync(output: output);
        gateway.Store.SetSecrets(new Dictionary<string, ValueMap> { ["bad"] = new([new("nkey", "SUNOTASEED")]) });
        await gateway.ApplyAsync("""
            name: bus
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: 4222 }] }
            service_info: { type: nats, properties: { secret_ref: bad } }
            """);
        var status = gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "bus").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("service_info.properties.secret_ref: secret 'bad': 'nkey' is not an NKey seed", status.Reason);
    }

    private static Task ApplyAsync(GatewayFixture gateway, NatsServer nats, string good, string wrong) => gateway.ApplyAsync($$"""
        name: good
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
        service_info: { type: nats, properties: { secret_ref: {{good}} } }
        ---
        name: bad
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
        service_info: { type: nats, properties: { secret_ref: {{wrong}}, op_timeout: 500ms } }
        ---
        name: default
        routes:
        - request_matcher: { path_prefix: /good }
          single_destination: { function: { upstream_name: good, function_name: auth.ok } }
        - request_matcher: { path_prefix: /bad }
          single_destination: { function: { upstream_name: bad, function_name: auth.ok } }
        """);

    private static async Task AssertLoginsAsync(GatewayFixture gateway, RecordingLoggerProvider logs)
    {
        using var good = await gateway.Client.PostAsync("/good", new StringContent("x"));
        Assert.True(good.StatusCode == HttpStatusCode.OK, await good.Content.ReadAsStringAsync());
        using var bad = await gateway.Client.PostAsync("/bad", new StringContent("x"));
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, bad.StatusCode);
        Assert.Equal("nats_unavailable", bad.Headers.GetValues("x-sluice-error").Single());
        Assert.DoesNotContain("Authorization Violation", text);
        Assert.True(logs.Contains("Authorization Violation"));
    }

    /// <summary>A NATS JWT: ed25519-nkey signature by <paramref name="issuer"/> over header.claims.</summary>
    private static string Jwt(KeyPair issuer, string subject, JsonObject nats)
    {
        var header = Base64Url("""{"typ":"JWT","alg":"ed25519-nkey"}"""u8.ToArray());
        var claims = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["iss"] = issuer.GetPublicKey(),
            ["name"] = "sluice-test",
            ["sub"] = subject,
            ["nats"] = nats,
        };
        var signed = header + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = new byte[64];
        issuer.Sign(Encoding.ASCII.GetBytes(signed), signature);
        return signed + "." + Base64Url(signature);
    }

    private static string Creds(string jwt, string seed) => $"""
        -----BEGIN NATS USER JWT-----
        {jwt}
        ------END NATS USER JWT------

        -----BEGIN USER NKEY SEED-----
        {seed}
        ------END USER NKEY SEED------
        """;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
