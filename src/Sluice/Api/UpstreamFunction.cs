namespace Sluice.Api;

/// <summary>One function of an upstream; its spec is read by the function plugin that claims it.</summary>
public sealed record UpstreamFunction
{
    public required string Name { get; init; }

    public Struct Spec { get; init; } = Struct.Empty;

    /// <summary>Set on functions found by discovery (read-only: the store never writes them into a user's file).</summary>
    public DiscoveryOrigin? Discovered { get; init; }
}
