using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Plugins.Routing;

/// <summary>
/// <c>remove_response_headers</c> and <c>add_response_headers</c>: on proxied answers and on the
/// route's own answers alike, as Envoy's were.
/// </summary>
internal sealed record ResponseHeadersFilter(ValueList<string> Removed, ValueList<HeaderValuePlan> Added) : IRouteFilter, IResponseFilter
{
    public Stage Stage => Stage.Response;

    public void OnResponse(RouteContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        var removed = Removed;
        for (var i = 0; i < removed.Count; i++)
        {
            headers.Remove(removed[i]);
        }
        var added = Added;
        for (var i = 0; i < added.Count; i++)
        {
            var header = added[i];
            if (header.Append)
            {
                headers.Append(header.Name, header.Value);
            }
            else
            {
                headers[header.Name] = header.Value;
            }
        }
    }
}
