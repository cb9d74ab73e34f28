using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Translation;

namespace Sluice.Plugins.Aws;

/// <summary>
/// An aws upstream's <c>spec</c>, read and checked: region, credentials from the secret, the
/// Lambda endpoint (AWS's, or an emulator's), and the request body limit.
/// </summary>
internal sealed partial record AwsUpstreamSpec(string Region, AwsCredentials Credentials, Uri Endpoint, int MaxRequestBytes)
{
    /// <summary>Lambda's own limit for a synchronous payload; a larger body could never be invoked.</summary>
    public const int DefaultMaxRequestBytes = 6 * 1024 * 1024;

    public static AwsUpstreamSpec? Read(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var region = spec.String("region");
        var secretRef = spec.String("secret_ref");
        var endpointText = spec.String("endpoint");
        var maxBytes = spec.Integer("max_request_bytes", 1, int.MaxValue);
        spec.WarnUnknownKeys();

        if (string.IsNullOrEmpty(region))
        {
            diagnostics.Error("spec.region", "is required (e.g. us-east-1)");
        }
        else if (!RegionPattern().IsMatch(region))
        {
            diagnostics.Error("spec.region", $"'{region}' is not a well-formed AWS region (e.g. us-east-1, eu-west-3, us-gov-west-1)");
        }

        var credentials = ReadCredentials(secretRef, context, diagnostics);

        Uri? endpoint = null;
        if (endpointText is not null)
        {
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint)
                || endpoint.Scheme is not ("http" or "https")
                || endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0 || endpoint.UserInfo.Length > 0)
            {
                diagnostics.Error("spec.endpoint", $"'{endpointText}' must be an absolute http or https URL without path or query (e.g. http://127.0.0.1:9001)");
                endpoint = null;
            }
        }
        else if (region is not null && RegionPattern().IsMatch(region))
        {
            // Only a well-formed region makes a host name: anything else was reported above.
            endpoint = new Uri($"https://lambda.{region}.amazonaws.com/");
        }

        return diagnostics.HasErrors || region is null || credentials is null || endpoint is null
            ? null
            : new AwsUpstreamSpec(region, credentials, endpoint, (int)(maxBytes ?? DefaultMaxRequestBytes));
    }

    private static AwsCredentials? ReadCredentials(string? secretRef, TranslationContext context, Diagnostics diagnostics)
    {
        if (string.IsNullOrEmpty(secretRef))
        {
            diagnostics.Error("spec.secret_ref", "missing secret reference (a secret with keys access_key and secret_key)");
            return null;
        }
        if (!context.TryGetSecret(secretRef, out var secret))
        {
            diagnostics.Error("spec.secret_ref", $"aws secrets for ref '{secretRef}' not found");
            return null;
        }
        var accessKey = Key(secret, secretRef, "access_key", diagnostics);
        var secretKey = Key(secret, secretRef, "secret_key", diagnostics);
        secret.TryGetValue("session_token", out var token);
        return accessKey is null || secretKey is null ? null : new AwsCredentials(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token);
    }

    private static string? Key(ValueMap secret, string secretRef, string key, Diagnostics diagnostics)
    {
        if (!secret.TryGetValue(key, out var value) || string.IsNullOrWhiteSpace(value))
        {
            diagnostics.Error("spec.secret_ref", $"key {key} missing from secret '{secretRef}'");
            return null;
        }
        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            diagnostics.Error("spec.secret_ref", $"key {key} of secret '{secretRef}' contains whitespace or control characters");
            return null;
        }
        return value;
    }

    /// <summary>Partition prefix, one or more words, a number: us-east-1, ap-southeast-4, us-gov-west-1.</summary>
    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")]
    private static partial Regex RegionPattern();
}
