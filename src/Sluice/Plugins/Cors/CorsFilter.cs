using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Sluice.Plan;

namespace Sluice.Plugins.Cors;

/// <summary>
/// A route's CORS policy in its pipeline: preflights are answered in the request stage; other
/// responses to an allowed origin get the CORS headers. A disallowed origin is never echoed back.
/// </summary>
internal sealed record CorsFilter(CorsPlan Plan) : IRouteFilter, IResponseFilter
{
    private readonly bool _anyOrigin = Plan.AllowOrigins.Contains("*");
    private readonly string? _maxAge = Plan.MaxAgeSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Stage Stage => Stage.Request;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        if (context.IsPreflight)
        {
            AnswerPreflight(context.HttpContext);
            context.Answered();
        }
        return ValueTask.CompletedTask;
    }

    private void AnswerPreflight(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (!IsAllowed(origin))
        {
            SluiceErrorFeature.Set(context, SluiceErrorCode.CorsOriginNotAllowed, $"origin '{origin}' is not allowed by this route's CORS policy");
            return;
        }
        var headers = context.Response.Headers;
        SetOrigin(headers, origin);
        headers.AccessControlAllowMethods = Plan.AllowMethods ?? context.Request.Headers.AccessControlRequestMethod.ToString();
        var requestedHeaders = context.Request.Headers.AccessControlRequestHeaders;
        if (Plan.AllowHeaders is not null)
        {
            headers.AccessControlAllowHeaders = Plan.AllowHeaders;
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
    }

    /// <summary>Adds the CORS headers to a response when its origin is allowed.</summary>
    public void OnResponse(RouteContext context)
    {
        var http = context.HttpContext;
        var origin = http.Request.Headers.Origin;
        if (origin.Count == 0 || !IsAllowed(origin.ToString()))
        {
            return;
        }
        var headers = http.Response.Headers;
        SetOrigin(headers, origin.ToString());
        if (Plan.ExposeHeaders is not null)
        {
            headers.AccessControlExposeHeaders = Plan.ExposeHeaders;
        }
    }

    private bool IsAllowed(string origin) =>
        _anyOrigin || Plan.AllowOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);

    private void SetOrigin(IHeaderDictionary headers, string origin)
    {
        if (_anyOrigin && !Plan.AllowCredentials)
        {
            headers.AccessControlAllowOrigin = "*";
            return;
        }
        headers.AccessControlAllowOrigin = origin;
        headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        if (Plan.AllowCredentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }
    }
}
