namespace Sluice.Api;

public sealed record Route
{
    public RequestMatcher? RequestMatcher { get; init; }

    public EventMatcher? EventMatcher { get; init; }

    public Destination? SingleDestination { get; init; }

    public ValueList<WeightedDestination>? MultipleDestinations { get; init; }

    /// <summary>Replaces the matched path prefix.</summary>
    public string? PrefixRewrite { get; init; }

    /// <summary>One flat map read by every route plugin (<c>timeout</c>, <c>cors</c>, …).</summary>
    public Struct Extensions { get; init; } = Struct.Empty;
}
