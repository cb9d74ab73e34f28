namespace Sluice.Plan;

/// <summary>
/// Passive health (Gloo Edge's outlierDetection): an endpoint that keeps failing real requests is
/// ejected for a while, longer each time it happens again.
/// </summary>
public sealed record OutlierDetectionPlan
{
    /// <summary>5xx answers (and resets) in a row that eject an endpoint; 0 = off.</summary>
    public int Consecutive5xx { get; init; } = 5;

    /// <summary>Failed connection attempts in a row that eject an endpoint; 0 = off.</summary>
    public int ConsecutiveConnectFailures { get; init; } = 5;

    /// <summary>First ejection's length; the n-th ejection lasts n times this.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of the endpoints that may be out at once (at least one always may).</summary>
    public int MaxEjectionPercent { get; init; } = 10;
}
