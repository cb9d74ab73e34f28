namespace Sluice.Plan;

/// <summary>
/// One step of a route's pipeline, contributed by a plugin from its own folder. Built once per
/// plan and shared by every request of the route, so it keeps no per-request state: what a
/// request needs travels in its <see cref="RouteContext"/>. A filter may also implement
/// <see cref="IResponseFilter"/> and <see cref="IForwardedRequestDecorator"/>.
/// </summary>
public interface IRouteFilter
{
    Stage Stage { get; }

    /// <summary>
    /// Looks at the request. A filter that answers it (or sets a <see cref="SluiceError"/>) calls
    /// <see cref="RouteContext.Answered"/>, and no later filter runs. Completes synchronously
    /// where it can; the pipeline hands the last filter's task straight back, so an action that
    /// goes asynchronous (the upstream call) costs the pipeline nothing.
    /// </summary>
    ValueTask OnRequestAsync(RouteContext context) => ValueTask.CompletedTask;
}
