namespace Sluice.Api;

public sealed record Route
{
    public RequestMatcher? RequestMatcher { get; init; }

    public EventMatcher? EventMatcher { get; init; }

    public Destination? SingleDestination { get; init; }

    public ValueList<WeightedDestination>? MultipleDestinations { get; init; }

    /// <summary>Answers with a redirect (Sluice; instead of a destination).</summary>
    public RedirectAction? Redirect { get; init; }

    /// <summary>Answers with a fixed response (Sluice; instead of a destination).</summary>
    public DirectResponseAction? DirectResponse { get; init; }

    /// <summary>Replaces the matched path prefix.</summary>
    public string? PrefixRewrite { get; init; }

    /// <summary>Rewrites the path by regex (Sluice; instead of <see cref="PrefixRewrite"/>).</summary>
    public RegexRewrite? RegexRewrite { get; init; }

    /// <summary>One flat map read by every route plugin (<c>timeout</c>, <c>cors</c>, …).</summary>
    public Struct Extensions { get; init; } = Struct.Empty;
}
