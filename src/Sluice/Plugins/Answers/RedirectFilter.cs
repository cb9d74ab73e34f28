using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Answers;

/// <summary>A route's <c>redirect</c> action: the route answers with a redirect instead of going to a destination.</summary>
internal sealed record RedirectFilter(RedirectPlan Redirect, RouteMatchPlan Match) : IRouteFilter
{
    public Stage Stage => Stage.Action;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        Redirects.Write(context.HttpContext, Redirect, Match, context.HttpsPort);
        context.ApplyResponse();
        context.Answered();
        return ValueTask.CompletedTask;
    }
}
