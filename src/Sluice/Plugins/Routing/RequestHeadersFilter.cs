using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Plugins.Routing;

/// <summary><c>add_request_headers</c>: set on every request the route forwards upstream, on every attempt.</summary>
internal sealed record RequestHeadersFilter(ValueList<HeaderValuePlan> Added) : IRouteFilter, IForwardedRequestDecorator
{
    public Stage Stage => Stage.Request;

    public void Decorate(HttpContext context, HttpRequestMessage proxyRequest)
    {
        var added = Added;
        for (var i = 0; i < added.Count; i++)
        {
            Add(proxyRequest, added[i]);
        }
    }

    private static void Add(HttpRequestMessage request, HeaderValuePlan header)
    {
        if (ContentHeaderNames.All.Contains(header.Name))
        {
            if (request.Content is { } content)
            {
                if (!header.Append)
                {
                    content.Headers.Remove(header.Name);
                }
                content.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            return;
        }
        if (!header.Append)
        {
            request.Headers.Remove(header.Name);
        }
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
    }
}
