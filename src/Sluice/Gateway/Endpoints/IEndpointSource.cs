using Sluice.Plan;

namespace Sluice.Gateway.Endpoints;

/// <summary>
/// A live source of endpoints (a Kubernetes EndpointSlice watch, Consul's health API) for the
/// clusters whose plan names an <see cref="IEndpointFeedSpec"/> it serves. Registered with the
/// gateway in <see cref="EndpointSources"/>; one source serves every such cluster and may share
/// one watch between them.
/// </summary>
public interface IEndpointSource
{
    /// <summary>Whether this source serves <paramref name="feed"/> (typically: by its type).</summary>
    bool Serves(IEndpointFeedSpec feed);

    /// <summary>
    /// Starts delivering the endpoints of <paramref name="feed"/> to <paramref name="sink"/>, at
    /// once if already known. Must not block: watching happens in the background, and failures
    /// are the source's to log and retry (the cluster keeps its last endpoints meanwhile).
    /// Disposing the result stops delivery.
    /// </summary>
    IDisposable Subscribe(IEndpointFeedSpec feed, IEndpointSink sink);
}
