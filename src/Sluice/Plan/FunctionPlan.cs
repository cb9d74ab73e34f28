namespace Sluice.Plan;

/// <summary>
/// A function of a cluster. <see cref="Invoker"/> is what its function plugin compiled from the
/// spec; without one, a request for the function is forwarded to the upstream unchanged.
/// </summary>
public sealed record FunctionPlan(string Name)
{
    public IInvokerSpec? Invoker { get; init; }
}
