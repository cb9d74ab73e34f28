namespace Sluice.Telemetry;

/// <summary>One request's numbers for StatsD, or (with null labels) one configuration reload.</summary>
internal readonly record struct StatsdSample(RequestLabels? Labels, int StatusClass, double DurationMs, double UpstreamMs, int Retries, bool Success);
