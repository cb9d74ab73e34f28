using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>Routes that answer by themselves: redirects and fixed responses.</summary>
internal static class LocalAnswers
{
    private static readonly RedirectPlan ToHttps = new() { HttpsRedirect = true };

    /// <summary>Envoy's <c>require_tls</c>: the same URL over HTTPS.</summary>
    public static Task RedirectToHttpsAsync(HttpContext context, int httpsPort) => RedirectAsync(context, null, ToHttps, httpsPort);

    public static Task RedirectAsync(HttpContext context, RoutePlan? route, RedirectPlan redirect, int httpsPort)
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
        else if (redirect.PrefixRewrite is { } prefix && route is not null)
        {
            path = PathRewrite.ReplacePrefix(route.Match, prefix, request.Path.Value ?? "/");
        }

        var response = context.Response;
        response.StatusCode = redirect.StatusCode;
        response.Headers.Location = $"{scheme}://{host}{path}{query}";
        AddResponseHeaders(response, route);
        return Task.CompletedTask;
    }

    public static Task DirectResponseAsync(HttpContext context, RoutePlan route, DirectResponsePlan direct)
    {
        var response = context.Response;
        response.StatusCode = direct.StatusCode;
        AddResponseHeaders(response, route);
        if (direct.Body is null)
        {
            return Task.CompletedTask;
        }
        response.ContentType ??= "text/plain; charset=utf-8";
        return response.WriteAsync(direct.Body);
    }

    /// <summary>A route's <c>add_response_headers</c> apply to its own answers too, as Envoy's did.</summary>
    private static void AddResponseHeaders(HttpResponse response, RoutePlan? route)
    {
        if (route is not null)
        {
            RouteTransformer.AddResponseHeaders(response.Headers, route.AddResponseHeaders);
        }
    }
}
