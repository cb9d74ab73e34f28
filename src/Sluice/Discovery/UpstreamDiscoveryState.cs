namespace Sluice.Discovery;

/// <summary>Where discovery stands with one upstream (admin API, metrics, and the one log line per change).</summary>
public sealed record UpstreamDiscoveryState
{
    public required string Upstream { get; init; }

    /// <summary><c>pending</c>, <c>found</c>, <c>nothing</c> or <c>failing</c>.</summary>
    public required string State { get; init; }

    public string? Source { get; init; }

    public int Functions { get; init; }

    /// <summary>Why nothing was found or what fails; null when functions were found.</summary>
    public string? Message { get; init; }

    public DateTimeOffset? LastAttempt { get; init; }

    public DateTimeOffset NextAttempt { get; init; }

    /// <summary>Passes in a row that found nothing or failed (drives the backoff).</summary>
    public int Misses { get; init; }

    public int Passes { get; init; }
}
