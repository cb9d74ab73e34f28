namespace Sluice.Telemetry;

/// <summary>StatsD export over UDP, with DogStatsD tags. Off unless <see cref="Host"/> is set.</summary>
public sealed record StatsdOptions
{
    public string? Host { get; init; }

    public int Port { get; init; } = 8125;

    /// <summary>Metric name prefix: <c>sluice.requests</c>, <c>sluice.request.duration</c>, …</summary>
    public string Prefix { get; init; } = "sluice";

    /// <summary>Samples waiting for the sender; past this, samples are dropped and counted.</summary>
    public int BufferSamples { get; init; } = 16 * 1024;
}
