using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Sluice.Translation;

namespace Sluice.Plugins.Google;

/// <summary>
/// A Google service-account key (the JSON key file: <c>client_email</c>, <c>private_key</c> PEM,
/// <c>token_uri</c>), read from the secret named by the upstream's <c>spec.secret_ref</c>, key
/// <c>json_key_file</c> (Gloo's name for it). Compares by value; printing never shows the key.
/// </summary>
internal sealed record ServiceAccountKey(string ClientEmail, string PrivateKeyPem, Uri TokenUri)
{
    public const string SecretKey = "json_key_file";

    /// <summary>Where Google's key files send token requests when they name none.</summary>
    private static readonly Uri GoogleTokenUri = new("https://oauth2.googleapis.com/token");

    /// <summary>
    /// The key of <c>spec.secret_ref</c>, or null: none named (a public function), or an error on
    /// <c>spec.secret_ref</c> naming the secret and what is wrong in it.
    /// </summary>
    public static ServiceAccountKey? Read(SpecReader spec, TranslationContext context, Diagnostics diagnostics)
    {
        const string Field = "spec.secret_ref";
        if (spec.String("secret_ref") is not { } secretRef)
        {
            return null;
        }
        if (!context.TryGetSecret(secretRef, out var secret))
        {
            diagnostics.Error(Field, $"secret '{secretRef}' not found");
            return null;
        }
        if (!secret.TryGetValue(SecretKey, out var json))
        {
            diagnostics.Error(Field, $"secret '{secretRef}' has no '{SecretKey}' (the service account's JSON key file)");
            return null;
        }
        var problem = Parse(json, out var key);
        if (problem is not null)
        {
            diagnostics.Error(Field, $"secret '{secretRef}', '{SecretKey}': {problem}");
        }
        return key;
    }

    /// <summary>Null when <paramref name="json"/> is a usable key, else what is wrong with it.</summary>
    private static string? Parse(string json, out ServiceAccountKey? key)
    {
        key = null;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return $"not JSON ({e.Message})";
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "not a JSON object";
        }
        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (Text("type") is { } type && type != "service_account")
        {
            return $"type is '{type}', not 'service_account'";
        }
        var email = Text("client_email");
        if (string.IsNullOrEmpty(email))
        {
            return "client_email is missing";
        }
        var pem = Text("private_key");
        if (string.IsNullOrEmpty(pem))
        {
            return "private_key is missing";
        }
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return $"private_key is not an RSA private key in PEM ({e.Message})";
        }
        var tokenUri = GoogleTokenUri;
        if (Text("token_uri") is { } tokenText)
        {
            if (!Uri.TryCreate(tokenText, UriKind.Absolute, out var parsed) || !(parsed.Scheme == "https" || (parsed.Scheme == "http" && IsLoopback(parsed))))
            {
                return $"token_uri '{tokenText}' must be an https URL (http only on loopback, for a local token endpoint)";
            }
            tokenUri = parsed;
        }
        key = new ServiceAccountKey(email, pem, tokenUri);
        return null;
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public override string ToString() => $"ServiceAccountKey {{ ClientEmail = {ClientEmail}, PrivateKeyPem = (redacted), TokenUri = {TokenUri} }}";
}
