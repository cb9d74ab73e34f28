using System.Net;
using System.Text.Json;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Plugins.Google;

/// <summary>
/// Private Google Cloud Functions: an upstream with <c>spec.secret_ref</c> (a service-account
/// JSON key under <c>json_key_file</c>) calls each function with an ID token for its URL, minted
/// at the key's <c>token_uri</c>. Google's endpoints cannot run here: <see cref="FakeGoogleIdentity"/>
/// stands in over a real socket, verifying the signed JWT with the account's public key.
/// </summary>
public sealed class PrivateFunctionTests : IAsyncLifetime
{
    private FakeGoogleIdentity _google = null!;
    private GatewayFixture _gateway = null!;
    private RecordingLoggerProvider _logs = null!;

    public async Task InitializeAsync()
    {
        _google = await FakeGoogleIdentity.StartAsync();
        _logs = new RecordingLoggerProvider();
        _gateway = await GatewayFixture.StartAsync(logs: _logs);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _google.DisposeAsync();
    }

    private async Task ApplyAsync(string keyFile, string secretRef = "gcf-key")
    {
        _gateway.Store.SetSecrets(new Dictionary<string, ValueMap> { ["gcf-key"] = new([new("json_key_file", keyFile)]) });
        await _gateway.ApplyAsync($$"""
            name: gcf
            type: google
            spec:
              region: us-central1
              project_id: my-project
              endpoint: http://127.0.0.1:{{_google.Port}}
              secret_ref: {{secretRef}}
            functions:
            - name: hello
              spec: { url: "{{FakeGoogleIdentity.FunctionUrl}}" }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /hello }
              single_destination: { function: { upstream_name: gcf, function_name: hello } }
            """);
    }

    [Fact]
    public async Task A_private_function_is_called_with_an_ID_token_the_token_endpoint_minted_from_a_verified_JWT()
    {
        await ApplyAsync(_google.KeyFile());

        using var response = await _gateway.Client.GetAsync("/hello");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("hello from us-central1-my-project.cloudfunctions.net", text);
        Assert.Equal(1, _google.Mints);
        Assert.Equal(StatusState.Accepted, _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "gcf").Status.State);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_mint_and_later_ones_reuse_the_cached_token()
    {
        await ApplyAsync(_google.KeyFile());

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            using var response = await _gateway.Client.GetAsync("/hello");
            return response.StatusCode;
        }));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        for (var i = 0; i < 5; i++)
        {
            using var again = await _gateway.Client.GetAsync("/hello");
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        Assert.Equal(1, _google.Mints);
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_minted_anew()
    {
        // Two-second tokens: refreshed at half their life, so the second call, 3 s later, needs a new one.
        _google.TokenLifetime = TimeSpan.FromSeconds(2);
        await ApplyAsync(_google.KeyFile());

        using (var first = await _gateway.Client.GetAsync("/hello"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        Assert.Equal(1, _google.Mints);
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var second = await _gateway.Client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, _google.Mints);
    }

    [Fact]
    public async Task A_refusing_token_endpoint_is_a_502_with_a_JSON_body_and_its_reason_in_the_log()
    {
        _google.Refusal = "Invalid JWT Signature.";
        await ApplyAsync(_google.KeyFile());

        using var response = await _gateway.Client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("google_id_token_failed", response.Headers.GetValues("x-sluice-error").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("google_id_token_failed", body.RootElement.GetProperty("code").GetString());
        Assert.Contains($"the token endpoint refused to mint an ID token for {FakeGoogleIdentity.ClientEmail} (HTTP 400)", body.RootElement.GetProperty("message").GetString());
        Assert.DoesNotContain("Invalid JWT Signature", body.RootElement.GetProperty("message").GetString());
        Assert.True(_logs.Contains("Invalid JWT Signature."));

        // The endpoint recovers: the next request mints.
        _google.Refusal = null;
        using var recovered = await _gateway.Client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task A_key_signed_by_another_account_is_refused_by_the_endpoint_that_verifies_the_signature()
    {
        using var stranger = System.Security.Cryptography.RSA.Create(2048);
        var forged = _google.KeyFile().Replace(
            JsonEncodedText.Encode(_google.AccountKey.ExportPkcs8PrivateKeyPem()).ToString(),
            JsonEncodedText.Encode(stranger.ExportPkcs8PrivateKeyPem()).ToString(), StringComparison.Ordinal);
        await ApplyAsync(forged);

        using var response = await _gateway.Client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, _google.Mints);
        Assert.True(_logs.Contains("Invalid JWT Signature."));
    }

    [Theory]
    [InlineData("missing", "spec.secret_ref: secret 'missing' not found")]
    [InlineData("not json", "spec.secret_ref: secret 'gcf-key', 'json_key_file': not JSON")]
    [InlineData("{\"type\":\"service_account\",\"private_key\":\"x\"}", "spec.secret_ref: secret 'gcf-key', 'json_key_file': client_email is missing")]
    [InlineData("{\"client_email\":\"a@b\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}", "spec.secret_ref: secret 'gcf-key', 'json_key_file': private_key is not an RSA private key in PEM")]
    [InlineData("{\"type\":\"authorized_user\"}", "spec.secret_ref: secret 'gcf-key', 'json_key_file': type is 'authorized_user', not 'service_account'")]
    public async Task A_missing_or_malformed_key_rejects_the_upstream_naming_the_field(string keyFileOrMissing, string reason)
    {
        if (keyFileOrMissing == "missing")
        {
            await ApplyAsync(_google.KeyFile(), secretRef: "missing");
        }
        else
        {
            await ApplyAsync(keyFileOrMissing);
        }
        var status = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "gcf").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(reason, status.Reason);
    }

    [Fact]
    public async Task A_token_uri_in_cleartext_off_loopback_is_rejected()
    {
        await ApplyAsync(_google.KeyFile(tokenUri: "http://oauth2.example.com/token"));
        var status = _gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "gcf").Status;
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("token_uri 'http://oauth2.example.com/token' must be an https URL", status.Reason);
    }
}
