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
    /// Looks at the request; returns <see cref="FilterResult.Answered"/> once it answered (or set a
    /// <see cref="SluiceError"/>). Completes synchronously where it can: the pipeline awaits only
    /// filters that did not.
    /// </summary>
    ValueTask<FilterResult> OnRequestAsync(RouteContext context) => ValueTask.FromResult(FilterResult.Continue);
}
