using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sluice.Plugins.Google;

/// <summary>
/// Google ID tokens for one function (the audience) from one service account, as Google's
/// service-account flow makes them: a JWT signed RS256 with the account's key (claims
/// <c>iss</c> = <c>sub</c> = client_email, <c>aud</c> = token_uri, <c>target_audience</c> = the
/// function URL, <c>iat</c>, <c>exp</c>) is exchanged at the token endpoint
/// (<c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>) for an <c>id_token</c>.
/// A token is reused until 5 minutes (or half its life, if shorter) before its <c>exp</c>; one
/// mint at a time, which every request needing a token waits for.
/// </summary>
internal sealed class GoogleIdTokenSource : IDisposable
{
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"RS256","typ":"JWT"}"""u8);

    private readonly ServiceAccountKey _key;
    private readonly string _audience;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly RSA _rsa = RSA.Create();
    private readonly Lock _gate = new();
    private volatile Token? _current;
    private Task<Token>? _minting;

    public GoogleIdTokenSource(ServiceAccountKey key, string audience, HttpClient client, TimeProvider time)
    {
        _key = key;
        _audience = audience;
        _client = client;
        _time = time;
        // Checked at translation: a key that reaches here imports.
        _rsa.ImportFromPem(key.PrivateKeyPem);
    }

    /// <summary>The <c>Authorization</c> value (<c>Bearer …</c>); synchronous while the cached token is fresh.</summary>
    public ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        return current is not null && _time.GetUtcNow() < current.RefreshAt
            ? new ValueTask<string>(current.Authorization)
            : new ValueTask<string>(RefreshAsync(cancellationToken));
    }

    private async Task<string> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<Token> minting;
        lock (_gate)
        {
            if (_current is { } fresh && _time.GetUtcNow() < fresh.RefreshAt)
            {
                return fresh.Authorization;
            }
            // On the thread pool: the mint belongs to no request, and no request's cancellation ends it.
            minting = _minting ??= Task.Run(MintAndKeepAsync);
        }
        try
        {
            return (await minting.WaitAsync(cancellationToken)).Authorization;
        }
        catch (GoogleIdTokenException) when (_current is { } stale && _time.GetUtcNow() < stale.Expiry - TimeSpan.FromSeconds(10))
        {
            // The endpoint failed during the refresh window: the old token still works for now.
            return stale.Authorization;
        }
    }

    private async Task<Token> MintAndKeepAsync()
    {
        try
        {
            var token = await MintAsync();
            _current = token;
            return token;
        }
        finally
        {
            lock (_gate)
            {
                _minting = null;
            }
        }
    }

    private async Task<Token> MintAsync()
    {
        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, _key.TokenUri)
        {
            Content = new FormUrlEncodedContent([new("grant_type", JwtBearerGrant), new("assertion", Assertion(now))]),
        };
        string body;
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request);
            body = await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new GoogleIdTokenException($"the token endpoint {_key.TokenUri} could not be reached to mint an ID token for {_key.ClientEmail}", e.Message);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new GoogleIdTokenException($"the token endpoint refused to mint an ID token for {_key.ClientEmail} (HTTP {(int)response.StatusCode})", Shorten(body));
            }
        }
        var idToken = IdToken(body) ?? throw new GoogleIdTokenException("the token endpoint's answer has no id_token", Shorten(body));
        var expiry = Expiry(idToken) ?? throw new GoogleIdTokenException("the token endpoint's id_token has no readable exp claim", "");
        var life = expiry - now;
        var early = life / 2 < RefreshBefore ? life / 2 : RefreshBefore;
        return new Token("Bearer " + idToken, expiry - early, expiry);
    }

    /// <summary>The signed JWT that asks for an ID token whose audience is the function.</summary>
    private string Assertion(DateTimeOffset now)
    {
        var claims = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(claims))
        {
            json.WriteStartObject();
            json.WriteString("iss", _key.ClientEmail);
            json.WriteString("sub", _key.ClientEmail);
            json.WriteString("aud", _key.TokenUri.AbsoluteUri);
            json.WriteString("target_audience", _audience);
            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            json.WriteNumber("exp", (now + AssertionLifetime).ToUnixTimeSeconds());
            json.WriteEndObject();
        }
        var signed = Header + "." + Base64Url.EncodeToString(claims.WrittenSpan);
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    private static string? IdToken(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id_token", out var token) && token.ValueKind == JsonValueKind.String
                ? token.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>exp</c> of a JWT, read without checking its signature: the gateway only needs to know when to ask again.</summary>
    private static DateTimeOffset? Expiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _rsa.Dispose();

    private sealed record Token(string Authorization, DateTimeOffset RefreshAt, DateTimeOffset Expiry);
}
