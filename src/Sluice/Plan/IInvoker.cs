namespace Sluice.Plan;

/// <summary>
/// Serves one request for a cluster or a function. Disposed (if it implements
/// <see cref="IAsyncDisposable"/>) when the plan no longer uses it.
/// </summary>
public interface IInvoker
{
    Task InvokeAsync(RouteContext context);
}
