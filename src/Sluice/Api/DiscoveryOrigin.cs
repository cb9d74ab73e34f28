namespace Sluice.Api;

/// <summary>
/// Marks a function or service info that function discovery found rather than a user wrote:
/// where it came from (an OpenAPI URL, a gRPC reflection address, a listing API) and when it
/// was first seen in its current form. Shown by <c>sluice get</c>; never written to a user's file.
/// </summary>
public sealed record DiscoveryOrigin
{
    public required string Source { get; init; }

    public DateTimeOffset DiscoveredAt { get; init; }
}
