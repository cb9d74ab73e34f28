using Sluice.Plan;

namespace Sluice.Gateway.Endpoints;

/// <summary>The endpoint sources a gateway runs, asked in order; the first that serves a feed gets it.</summary>
public sealed class EndpointSources(IReadOnlyList<IEndpointSource> sources)
{
    public static EndpointSources None { get; } = new([]);

    /// <summary>The source for <paramref name="feed"/>; null when none runs (the cluster stays empty and answers 503).</summary>
    public IEndpointSource? For(IEndpointFeedSpec feed) => sources.FirstOrDefault(s => s.Serves(feed));
}
