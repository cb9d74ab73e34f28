using Sluice.Plan;

namespace Sluice.IntegrationTests.Plugins.Stamp;

/// <summary>Request stage: sets a header on the client's request, so whatever serves it sees the header.</summary>
internal sealed record StampFilter(string Header, string Value) : IRouteFilter
{
    public Stage Stage => Stage.Request;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        context.HttpContext.Request.Headers[Header] = Value;
        return ValueTask.CompletedTask;
    }
}
