using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// A route's CORS policy at run time: preflights are answered here; other responses to an allowed
/// origin get the CORS headers. A disallowed origin is never echoed back.
/// </summary>
internal sealed class CorsPolicy(CorsPlan plan)
{
    private readonly bool _anyOrigin = plan.AllowOrigins.Contains("*");
    private readonly string? _maxAge = plan.MaxAgeSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey(HeaderNames.Origin)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    public Task AnswerPreflightAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (!IsAllowed(origin))
        {
            SluiceErrorFeature.Set(context, SluiceErrorCode.CorsOriginNotAllowed, $"origin '{origin}' is not allowed by this route's CORS policy");
            return Task.CompletedTask;
        }
        var headers = context.Response.Headers;
        SetOrigin(headers, origin);
        headers.AccessControlAllowMethods = plan.AllowMethods ?? context.Request.Headers.AccessControlRequestMethod.ToString();
        var requestedHeaders = context.Request.Headers.AccessControlRequestHeaders;
        if (plan.AllowHeaders is not null)
        {
            headers.AccessControlAllowHeaders = plan.AllowHeaders;
        }
        else if (requestedHeaders.Count > 0)
        {
            headers.AccessControlAllowHeaders = requestedHeaders;
        }
        if (_maxAge is not null)
        {
            headers.AccessControlMaxAge = _maxAge;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    /// <summary>Adds the CORS headers to a proxied response when its origin is allowed.</summary>
    public void Apply(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0 || !IsAllowed(origin.ToString()))
        {
            return;
        }
        var headers = context.Response.Headers;
        SetOrigin(headers, origin.ToString());
        if (plan.ExposeHeaders is not null)
        {
            headers.AccessControlExposeHeaders = plan.ExposeHeaders;
        }
    }

    private bool IsAllowed(string origin) =>
        _anyOrigin || plan.AllowOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);

    private void SetOrigin(IHeaderDictionary headers, string origin)
    {
        if (_anyOrigin && !plan.AllowCredentials)
        {
            headers.AccessControlAllowOrigin = "*";
            return;
        }
        headers.AccessControlAllowOrigin = origin;
        headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        if (plan.AllowCredentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }
    }
}
