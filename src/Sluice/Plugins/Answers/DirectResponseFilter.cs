using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Answers;

/// <summary>A route's <c>direct_response</c> action: a fixed status and body instead of a destination.</summary>
internal sealed record DirectResponseFilter(DirectResponsePlan Direct) : IRouteFilter
{
    public Stage Stage => Stage.Action;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Direct.StatusCode;
        context.ApplyResponse();
        context.Answered();
        if (Direct.Body is null)
        {
            return ValueTask.CompletedTask;
        }
        response.ContentType ??= "text/plain; charset=utf-8";
        return new ValueTask(response.WriteAsync(Direct.Body));
    }
}
