using Microsoft.Extensions.Logging;
using Sluice.Gateway.Endpoints;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// What every <see cref="ClusterState"/> of a gateway shares: logging, the endpoint sources its
/// feeds subscribe to, where an endpoint-only update is counted, and where a replaced model goes
/// to be disposed once the requests still using it have finished, and where invokers report what
/// they learn at run time (for the statuses).
/// </summary>
internal sealed class ClusterServices(ILoggerFactory loggerFactory, EndpointSources endpointSources, Action<string> endpointsUpdated, Action<IAsyncDisposable> retire, RuntimeFindings? findings = null)
{
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    public EndpointSources EndpointSources { get; } = endpointSources;

    /// <summary>Called with the upstream's name each time a feed swapped in new endpoints (no translation).</summary>
    public Action<string> EndpointsUpdated { get; } = endpointsUpdated;

    public Action<IAsyncDisposable> Retire { get; } = retire;

    public RuntimeFindings Findings { get; } = findings ?? new RuntimeFindings();

    /// <summary>For a cluster outside a gateway: no feeds, nothing counted, a replaced model disposed at once.</summary>
    public static ClusterServices Standalone(ILoggerFactory loggerFactory) =>
        new(loggerFactory, EndpointSources.None, static _ => { }, static model => _ = model.DisposeAsync().AsTask());
}
