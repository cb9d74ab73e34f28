using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// What function discovery found for one upstream, kept by the store beside the upstream (never
/// in the user's files) and merged into it at translation time. Written by the discovery service
/// only when it changed, so an unchanged upstream causes no new snapshot.
/// </summary>
public sealed record DiscoveryRecord
{
    /// <summary>Optimistic-concurrency token owned by the store; null for a record not stored yet.</summary>
    public string? Version { get; init; }

    /// <summary>Where the functions came from: an OpenAPI URL, a gRPC address, a listing API.</summary>
    public required string Source { get; init; }

    /// <summary>The service info discovery inferred (REST, gRPC); the user's own wins.</summary>
    public ServiceInfo? ServiceInfo { get; init; }

    /// <summary>Functions found, each marked with its <see cref="DiscoveryOrigin"/>; sorted by name.</summary>
    public ValueList<UpstreamFunction> Functions { get; init; } = ValueList<UpstreamFunction>.Empty;

    /// <summary>
    /// Why the source could not be read, or which operations could not become functions; shown
    /// as warnings in the upstream's status. A failing source keeps the functions found before.
    /// </summary>
    public ValueList<string> Problems { get; init; } = ValueList<string>.Empty;

    /// <summary>Artifacts written with the record (a gRPC FileDescriptorSet), by file ref.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>();

    /// <summary>Same content (everything but <see cref="Version"/>): nothing needs writing.</summary>
    public bool SameContent(DiscoveryRecord other) =>
        Source == other.Source
        && Equals(ServiceInfo, other.ServiceInfo)
        && Functions.Equals(other.Functions)
        && Problems.Equals(other.Problems)
        && Files.Count == other.Files.Count
        && Files.All(f => other.Files.TryGetValue(f.Key, out var bytes) && bytes.Span.SequenceEqual(f.Value.Span));
}
