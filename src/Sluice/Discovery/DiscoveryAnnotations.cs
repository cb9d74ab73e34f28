using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>The upstream annotations discovery reads, Sluice's own and Gloo's.</summary>
public static class DiscoveryAnnotations
{
    /// <summary><c>enabled</c> opts an upstream in (mode opt-in), <c>disabled</c> opts it out (any mode).</summary>
    public const string FunctionDiscovery = "discovery.sluice.io/function_discovery";

    /// <summary>URL of the upstream's OpenAPI document: absolute, or a path on the upstream.</summary>
    public const string OpenApiUrl = "discovery.sluice.io/openapi_url";

    /// <summary>The OpenAPI document itself, inline (JSON or YAML).</summary>
    public const string OpenApiDoc = "discovery.sluice.io/openapi_doc";

    /// <summary>A listing API to read functions from: <c>openfaas</c>, <c>fission</c> or <c>fn</c> (opts in, as a named document does).</summary>
    public const string Listing = "discovery.sluice.io/listing";

    public const string GlooSwaggerUrl = "gloo.solo.io/swagger_url";
    public const string GlooSwaggerDoc = "gloo.solo.io/swagger_doc";

    public static string? DocumentUrl(Upstream upstream) =>
        Annotation(upstream, OpenApiUrl) ?? Annotation(upstream, GlooSwaggerUrl);

    public static string? InlineDocument(Upstream upstream) =>
        Annotation(upstream, OpenApiDoc) ?? Annotation(upstream, GlooSwaggerDoc);

    /// <summary>
    /// Whether discovery looks at this upstream: <c>disabled</c> always wins; then <c>enabled</c>,
    /// a named document or a named listing opts in; otherwise the mode decides.
    /// </summary>
    public static bool IsWanted(Upstream upstream, DiscoveryMode mode)
    {
        if (mode == DiscoveryMode.Disabled)
        {
            return false;
        }
        var setting = Annotation(upstream, FunctionDiscovery);
        if (string.Equals(setting, "disabled", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return mode == DiscoveryMode.All
            || string.Equals(setting, "enabled", StringComparison.OrdinalIgnoreCase)
            || DocumentUrl(upstream) is not null
            || InlineDocument(upstream) is not null
            || Annotation(upstream, Listing) is not null;
    }

    private static string? Annotation(Upstream upstream, string key) =>
        upstream.Metadata.Annotations.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    internal static string? Get(Upstream upstream, string key) => Annotation(upstream, key);
}
