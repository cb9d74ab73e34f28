using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Reads what a route does besides choosing a destination: answering by itself (a redirect, a
/// fixed response) and rewriting the path by regex.
/// </summary>
internal static class RouteActionTranslator
{
    private static readonly int[] RedirectCodes = [301, 302, 303, 307, 308];

    public static RedirectPlan? Redirect(RedirectAction redirect, RouteMatchPlan? match, string field, Diagnostics diagnostics)
    {
        var code = (int)(redirect.ResponseCode ?? 301);
        if (!RedirectCodes.Contains(code))
        {
            diagnostics.Error($"{field}.response_code", $"must be one of {string.Join(", ", RedirectCodes)}, got {code}");
        }
        if (!redirect.HttpsRedirect && redirect.HostRedirect is null && redirect.PathRedirect is null && redirect.PrefixRewrite is null && !redirect.StripQuery)
        {
            diagnostics.Error(field, "must change something: https_redirect, host_redirect, path_redirect, prefix_rewrite or strip_query");
        }
        if (redirect.HostRedirect is { } host && Uri.CheckHostName(host.Split(':')[0]) == UriHostNameType.Unknown)
        {
            diagnostics.Error($"{field}.host_redirect", $"'{host}' is not a host");
        }
        CheckPath(redirect.PathRedirect, $"{field}.path_redirect", diagnostics);
        CheckPath(redirect.PrefixRewrite, $"{field}.prefix_rewrite", diagnostics);
        if (redirect.PrefixRewrite is not null && match?.PathKind == PathMatchKind.Regex)
        {
            diagnostics.Error($"{field}.prefix_rewrite", "needs a path_prefix or path_exact route (a regex route has no prefix to replace)");
        }
        return new RedirectPlan
        {
            StatusCode = code,
            HttpsRedirect = redirect.HttpsRedirect,
            Host = redirect.HostRedirect,
            Path = redirect.PathRedirect,
            PrefixRewrite = redirect.PrefixRewrite,
            StripQuery = redirect.StripQuery,
        };
    }

    public static DirectResponsePlan? DirectResponse(DirectResponseAction direct, string field, Diagnostics diagnostics)
    {
        if (direct.Status is < 100 or > 599)
        {
            diagnostics.Error($"{field}.status", $"must be an HTTP status between 100 and 599, got {direct.Status}");
            return null;
        }
        return new DirectResponsePlan((int)direct.Status, direct.Body);
    }

    /// <summary>Compiled with the linear-time engine, like every regex a request runs.</summary>
    public static Regex? RegexRewrite(RegexRewrite rewrite, string field, Diagnostics diagnostics)
    {
        try
        {
            return new Regex(rewrite.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            diagnostics.Error($"{field}.pattern", $"invalid regex '{rewrite.Pattern}': {e.Message}");
            return null;
        }
    }

    private static void CheckPath(string? path, string field, Diagnostics diagnostics)
    {
        if (path is not null && !path.StartsWith('/'))
        {
            diagnostics.Error(field, $"'{path}' must start with '/'");
        }
    }
}
