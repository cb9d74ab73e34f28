using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.IntegrationTests.Plugins.Stamp;

/// <summary>Admission stage: answers 403 itself when the request carries <see cref="Header"/>; nothing after it runs.</summary>
internal sealed record DenyFilter(string Header) : IRouteFilter
{
    public Stage Stage => Stage.Admission;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        var http = context.HttpContext;
        if (http.Request.Headers.ContainsKey(Header))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.Headers["x-denied-by"] = "stamp";
            context.Answered();
        }
        return ValueTask.CompletedTask;
    }
}
