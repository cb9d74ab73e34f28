namespace Sluice.Api;

/// <summary>What kind of service runs on an upstream: <c>REST</c>, <c>gRPC</c>, <c>nats</c>.</summary>
public sealed record ServiceInfo
{
    public required string Type { get; init; }

    public Struct Properties { get; init; } = Struct.Empty;

    /// <summary>Set when discovery found it (read-only: the store never writes it into a user's file).</summary>
    public DiscoveryOrigin? Discovered { get; init; }
}
