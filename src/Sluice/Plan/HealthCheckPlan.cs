using Sluice.Api;

namespace Sluice.Plan;

/// <summary>An active HTTP health check, probed against every endpoint of a cluster.</summary>
public sealed record HealthCheckPlan
{
    public required string Path { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Failed probes in a row that mark a healthy endpoint unhealthy.</summary>
    public int UnhealthyThreshold { get; init; } = 3;

    /// <summary>Passed probes in a row that mark an unhealthy endpoint healthy again.</summary>
    public int HealthyThreshold { get; init; } = 2;

    /// <summary>Inclusive status ranges a probe passes with; default 200–299.</summary>
    public ValueList<(int From, int To)> ExpectedStatuses { get; init; } = new([(200, 299)]);

    /// <summary>Host header for probes; null = the endpoint's own address.</summary>
    public string? Host { get; init; }
}
