namespace Sluice.Plan;

/// <summary>
/// One weighted choice of a route: a cluster (and maybe a function of it), or, when the
/// destination cannot be served, the answer the gateway gives instead (a 503 placeholder that
/// keeps the route in place so it still shadows the routes after it).
/// </summary>
public sealed record DestinationPlan
{
    public string? Cluster { get; init; }

    public string? Function { get; init; }

    public uint Weight { get; init; } = 1;

    public SluiceError? Answer { get; init; }
}
