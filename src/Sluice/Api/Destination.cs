namespace Sluice.Api;

/// <summary>Exactly one of <see cref="Upstream"/> and <see cref="Function"/>.</summary>
public sealed record Destination
{
    public UpstreamDestination? Upstream { get; init; }

    public FunctionDestination? Function { get; init; }

    /// <summary>The upstream this destination names, whichever form it takes.</summary>
    public string? UpstreamName => Upstream?.Name ?? Function?.UpstreamName;
}
