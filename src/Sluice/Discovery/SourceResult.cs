using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>What one source made of one upstream in one pass.</summary>
public sealed record SourceResult
{
    public required SourceOutcome Outcome { get; init; }

    /// <summary>Where the functions came from (a URL, an address, a listing), shown on every function.</summary>
    public required string Source { get; init; }

    public ServiceInfo? ServiceInfo { get; init; }

    /// <summary>Functions found (no origin yet: the writer stamps it).</summary>
    public IReadOnlyList<UpstreamFunction> Functions { get; init; } = [];

    /// <summary>Operations that could not become functions, or why the source failed.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    public static SourceResult NothingFound(string source, string why) =>
        new() { Outcome = SourceOutcome.NothingFound, Source = source, Problems = [why] };

    public static SourceResult Failed(string source, string why) =>
        new() { Outcome = SourceOutcome.Failed, Source = source, Problems = [why] };
}
