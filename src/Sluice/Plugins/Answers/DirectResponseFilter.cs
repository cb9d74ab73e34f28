using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Answers;

/// <summary>A route's <c>direct_response</c> action: a fixed status and body instead of a destination.</summary>
internal sealed record DirectResponseFilter(DirectResponsePlan Direct) : IRouteFilter
{
    public Stage Stage => Stage.Action;

    public ValueTask<FilterResult> OnRequestAsync(RouteContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Direct.StatusCode;
        context.ApplyResponse();
        if (Direct.Body is null)
        {
            return ValueTask.FromResult(FilterResult.Answered);
        }
        response.ContentType ??= "text/plain; charset=utf-8";
        var write = response.WriteAsync(Direct.Body);
        return write.IsCompletedSuccessfully ? ValueTask.FromResult(FilterResult.Answered) : AnsweredAfter(write);
    }

    private static async ValueTask<FilterResult> AnsweredAfter(Task write)
    {
        await write;
        return FilterResult.Answered;
    }
}
