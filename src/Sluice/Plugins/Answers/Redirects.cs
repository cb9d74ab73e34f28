using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Answers;

/// <summary>Writes a redirect: a route's <c>redirect</c> action, and a TLS-only host's redirect to HTTPS.</summary>
public static class Redirects
{
    private static readonly RedirectPlan ToHttps = new() { HttpsRedirect = true };

    /// <summary>Envoy's <c>require_tls</c>: the same URL over HTTPS.</summary>
    public static void WriteToHttps(HttpContext context, int httpsPort) => Write(context, ToHttps, null, httpsPort);

    /// <summary>Sets the status and Location; <paramref name="match"/> is needed for <c>prefix_rewrite</c> only.</summary>
    public static void Write(HttpContext context, RedirectPlan redirect, RouteMatchPlan? match, int httpsPort)
    {
        var request = context.Request;
        var toHttps = redirect.HttpsRedirect && !request.IsHttps;
        var scheme = redirect.HttpsRedirect || request.IsHttps ? "https" : "http";
        var host = redirect.Host
            ?? (toHttps ? (httpsPort is 443 or 0 ? request.Host.Host : $"{request.Host.Host}:{httpsPort}") : request.Host.Value);

        var path = request.PathBase.Add(request.Path).Value ?? "/";
        var query = redirect.StripQuery ? "" : request.QueryString.Value ?? "";
        if (redirect.Path is { } newPath)
        {
            // A path_redirect that carries a query replaces the request's query too.
            var question = newPath.IndexOf('?');
            (path, query) = question < 0 ? (newPath, query) : (newPath[..question], newPath[question..]);
        }
        else if (redirect.PrefixRewrite is { } prefix && match is not null)
        {
            path = PathRewrite.ReplacePrefix(match, prefix, request.Path.Value ?? "/");
        }

        var response = context.Response;
        response.StatusCode = redirect.StatusCode;
        response.Headers.Location = $"{scheme}://{host}{path}{query}";
    }
}
