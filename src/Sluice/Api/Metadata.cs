namespace Sluice.Api;

public sealed record Metadata
{
    public static readonly Metadata Empty = new();

    /// <summary>Optimistic-concurrency token owned by the store; increments on every change.</summary>
    public string? ResourceVersion { get; init; }

    public string? Namespace { get; init; }

    public ValueMap Annotations { get; init; } = ValueMap.Empty;
}
