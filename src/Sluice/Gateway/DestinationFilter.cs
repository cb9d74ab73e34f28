using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// The action of a route with destinations: picks one (weighted), then calls it through its
/// plugin's invoker, or forwards to the cluster's endpoints. Built once per bound route.
/// </summary>
internal sealed class DestinationFilter(RouteState route) : IRouteFilter
{
    public Stage Stage => Stage.Action;

    public ValueTask OnRequestAsync(RouteContext context)
    {
        var request = (RouteRequest)context;
        request.Answered();
        var destination = route.PickDestination();
        request.Chose(destination);
        request.Telemetry.Labels = destination.Labels;
        if (destination.Plan.Answer is { } answer)
        {
            SluiceErrorFeature.Set(request.HttpContext, answer);
            return ValueTask.CompletedTask;
        }
        request.Services.Telemetry.BeginCall(request.Telemetry);
        // Wrapped, not awaited: the call's task goes straight back to the middleware.
        return destination.Invoker is { } invoker
            ? new ValueTask(invoker.InvokeAsync(request))
            : request.Services.Caller.CallAsync(request, destination.Cluster!, request.Services.Caller.Forward);
    }
}
