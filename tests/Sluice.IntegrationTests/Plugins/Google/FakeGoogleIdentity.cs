using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Plugins.Google;

/// <summary>
/// A fake of Google's token endpoint and of one private Cloud Function (neither can run here),
/// on a real Kestrel port, behaving as Google documents them:
/// <list type="bullet">
/// <item><c>POST /token</c> (form <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>,
/// <c>assertion</c>): the assertion's RS256 signature is VERIFIED with the service account's
/// public key, and its claims checked (<c>iss</c> = <c>sub</c> = client_email, <c>aud</c> = the
/// token URI, <c>target_audience</c>, <c>iat</c>/<c>exp</c> at most an hour apart and current).
/// It answers <c>{"id_token": …}</c>, a JWT signed with the fake's own key whose <c>aud</c> is the
/// target audience; a bad assertion gets <c>400 {"error":"invalid_grant", …}</c>.</item>
/// <item>The function at <c>/hello</c>: 401 without a bearer token, 403 unless it is an unexpired
/// ID token minted here for the function's URL; else 200.</item>
/// </list>
/// </summary>
internal sealed class FakeGoogleIdentity : IAsyncDisposable
{
    public const string ClientEmail = "gateway@my-project.iam.gserviceaccount.com";
    public const string FunctionUrl = "https://us-central1-my-project.cloudfunctions.net/hello";

    private readonly WebApplication _app;
    private readonly RSA _issuerKey = RSA.Create(2048);
    private int _mints;

    private FakeGoogleIdentity(WebApplication app, RSA accountKey)
    {
        _app = app;
        AccountKey = accountKey;
        Port = new Uri(app.Urls.First()).Port;
    }

    /// <summary>The service account's key pair; its public half verifies assertions.</summary>
    public RSA AccountKey { get; }

    public int Port { get; }

    public string TokenUri => $"http://127.0.0.1:{Port}/token";

    /// <summary>ID tokens minted so far.</summary>
    public int Mints => Volatile.Read(ref _mints);

    /// <summary>How long minted ID tokens live.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When set, every token request is refused with this <c>error_description</c>.</summary>
    public string? Refusal { get; set; }

    /// <summary>The service account's JSON key file, as Google's console downloads it.</summary>
    public string KeyFile(string? tokenUri = null) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = "my-project",
        ["private_key_id"] = "0123456789abcdef",
        ["private_key"] = AccountKey.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "100000000000000000001",
        ["token_uri"] = tokenUri ?? TokenUri,
    }.ToJsonString();

    public static async Task<FakeGoogleIdentity> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeGoogleIdentity? fake = null;
        app.MapPost("/token", context => fake!.TokenAsync(context));
        app.Map("/hello", context => fake!.FunctionAsync(context));
        await app.StartAsync();
        fake = new FakeGoogleIdentity(app, RSA.Create(2048));
        return fake;
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        string? audience = null;
        var problem = form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ? "Invalid grant_type."
            : CheckAssertion(form["assertion"].ToString(), out audience) ?? Refusal;
        if (problem is not null)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = problem });
            return;
        }
        Interlocked.Increment(ref _mints);
        var now = DateTimeOffset.UtcNow;
        var idToken = Sign(_issuerKey, new JsonObject
        {
            ["iss"] = "https://accounts.google.com",
            ["aud"] = audience,
            ["email"] = ClientEmail,
            ["sub"] = "100000000000000000001",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TokenLifetime).ToUnixTimeSeconds(),
        });
        await context.Response.WriteAsJsonAsync(new { id_token = idToken });
    }

    /// <summary>Null when the assertion is signed by the account's key and its claims are right; else why not.</summary>
    private string? CheckAssertion(string assertion, out string? audience)
    {
        audience = null;
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "Invalid JWT.";
        }
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        if ((string?)header["alg"] != "RS256")
        {
            return "Invalid JWT: alg must be RS256.";
        }
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!AccountKey.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = (long?)claims["iat"] ?? 0;
        var exp = (long?)claims["exp"] ?? 0;
        if ((string?)claims["iss"] != ClientEmail || (string?)claims["sub"] != ClientEmail)
        {
            return "Invalid JWT: iss and sub must be the client_email.";
        }
        if ((string?)claims["aud"] != TokenUri)
        {
            return $"Invalid JWT: aud must be {TokenUri}.";
        }
        if (exp - iat > 3600 || iat > now + 60 || exp < now)
        {
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
        }
        audience = (string?)claims["target_audience"];
        return string.IsNullOrEmpty(audience) ? "Invalid JWT: target_audience is required for an ID token." : null;
    }

    private async Task FunctionAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 401;
            return;
        }
        var parts = authorization["Bearer ".Length..].Split('.');
        var valid = parts.Length == 3
            && _issuerKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            && JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) is { } claims
            && (string?)claims["aud"] == FunctionUrl
            && (long?)claims["exp"] > DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        if (!valid)
        {
            context.Response.StatusCode = 403;
            return;
        }
        await context.Response.WriteAsync($"hello from {context.Request.Host}");
    }

    private static string Sign(RSA key, JsonObject claims)
    {
        var header = Base64Url.EncodeToString("""{"alg":"RS256","typ":"JWT","kid":"fake"}"""u8);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _issuerKey.Dispose();
        AccountKey.Dispose();
    }
}
