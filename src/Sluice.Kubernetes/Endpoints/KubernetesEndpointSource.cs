using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Gateway.Endpoints;
using Sluice.Plan;
using Sluice.Plugins.Kubernetes;

namespace Sluice.Kubernetes.Endpoints;

/// <summary>
/// Endpoints of <c>kubernetes</c> upstreams, from the cluster's EndpointSlices: one
/// <see cref="NamespaceEndpoints"/> (a Services watch and an EndpointSlices watch) per namespace
/// that some upstream names, started with its first upstream and stopped after its last. The
/// cluster is found when first needed (a gateway without <c>kubernetes</c> upstreams never looks):
/// the configuration given, else in-cluster, <c>KUBECONFIG</c>, <c>~/.kube/config</c>.
/// </summary>
public sealed partial class KubernetesEndpointSource(Func<KubernetesClientConfiguration> cluster, TimeSpan retryDelay, ILogger? logger = null) : IEndpointSource, IAsyncDisposable
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NamespaceEndpoints> _namespaces = new(StringComparer.Ordinal);
    private KubernetesApi? _api;
    private bool _unavailableSaid;
    private bool _disposed;

    /// <summary>The source for the cluster <paramref name="options"/> name (its kubeconfig; namespaces come from the upstreams).</summary>
    public static KubernetesEndpointSource For(KubernetesStoreOptions options, ILogger? logger = null) =>
        new(() => KubernetesApi.Configure(options), options.RetryDelay, logger);

    public bool Serves(IEndpointFeedSpec feed) => feed is KubernetesServiceFeed;

    public IDisposable Subscribe(IEndpointFeedSpec feed, IEndpointSink sink)
    {
        var service = (KubernetesServiceFeed)feed;
        lock (_lock)
        {
            if (_disposed || Api(feed) is not { } api)
            {
                return NoSubscription.Instance;
            }
            if (!_namespaces.TryGetValue(service.Namespace, out var watch))
            {
                watch = new NamespaceEndpoints(api, service.Namespace, retryDelay, _logger);
                _namespaces[service.Namespace] = watch;
            }
            return new Subscription(this, service.Namespace, watch.Add(service, sink));
        }
    }

    private void Unsubscribe(string ns, IDisposable subscription)
    {
        NamespaceEndpoints? unused = null;
        lock (_lock)
        {
            subscription.Dispose();
            if (_namespaces.TryGetValue(ns, out var watch) && watch.IsUnused)
            {
                _namespaces.Remove(ns);
                unused = watch;
            }
        }
        if (unused is not null)
        {
            _ = unused.DisposeAsync().AsTask();
        }
    }

    /// <summary>The API client, made on first use; null (said once) when no cluster can be found.</summary>
    private KubernetesApi? Api(IEndpointFeedSpec feed)
    {
        if (_api is null)
        {
            try
            {
                _api = new KubernetesApi(cluster());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!_unavailableSaid)
                {
                    Log.NoCluster(_logger, feed.Describe(), e.Message);
                    _unavailableSaid = true;
                }
            }
        }
        return _api;
    }

    public async ValueTask DisposeAsync()
    {
        NamespaceEndpoints[] watches;
        lock (_lock)
        {
            _disposed = true;
            watches = [.. _namespaces.Values];
            _namespaces.Clear();
        }
        foreach (var watch in watches)
        {
            await watch.DisposeAsync();
        }
        _api?.Dispose();
    }

    private sealed class Subscription(KubernetesEndpointSource owner, string ns, IDisposable inner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(ns, inner);
            }
        }
    }

    private sealed class NoSubscription : IDisposable
    {
        public static readonly NoSubscription Instance = new();

        public void Dispose()
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = KubernetesEventIds.NoCluster, Level = LogLevel.Error, Message = "No Kubernetes cluster found for the endpoints of {Feed} ({Reason}); kubernetes upstreams answer 503 (give --kubeconfig, KUBECONFIG, or run in a pod)")]
        public static partial void NoCluster(ILogger logger, string feed, string reason);
    }
}
