using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Cors;

/// <summary>
/// <c>extensions.cors</c>: answers preflight requests at the gateway and decorates responses to
/// allowed origins. Origins must carry their scheme (<c>https://app.example.com</c>) or be <c>*</c>;
/// Gloo users were bitten by bare host names that never matched.
/// </summary>
internal sealed class CorsPlugin : IRoutePlugin
{
    private const string Key = "cors";

    public string Name => "cors";

    public IReadOnlyCollection<string> ExtensionKeys { get; } = [Key];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        var extensions = new SpecReader(route.Extensions, "extensions", diagnostics);
        var cors = extensions.Object(Key);
        if (cors is null)
        {
            return;
        }

        var origins = cors.Strings("allow_origin") ?? [];
        var plan = new CorsPlan
        {
            AllowOrigins = new(origins.Select(o => o.TrimEnd('/'))),
            AllowMethods = cors.String("allow_methods"),
            AllowHeaders = cors.String("allow_headers"),
            ExposeHeaders = cors.String("expose_headers"),
            MaxAgeSeconds = cors.Duration("max_age") is { } maxAge ? (long)maxAge.TotalSeconds : null,
            AllowCredentials = cors.Bool("allow_credentials") ?? false,
        };
        cors.WarnUnknownKeys();

        if (origins.Count == 0)
        {
            diagnostics.Error("extensions.cors.allow_origin", "must list at least one origin (or \"*\")");
        }
        foreach (var origin in origins)
        {
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"))
            {
                diagnostics.Error("extensions.cors.allow_origin", $"'{origin}' is not an origin: write scheme and host, e.g. \"https://app.example.com\", or \"*\"");
            }
        }
        if (plan.AllowCredentials && origins.Contains("*"))
        {
            diagnostics.Error("extensions.cors", "allow_credentials cannot be combined with allow_origin \"*\" (browsers refuse it)");
        }
        builder.Cors = plan;
        builder.Filters.Add(new CorsFilter(plan));
    }
}
