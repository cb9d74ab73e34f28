using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Kubernetes.UpstreamDiscovery;

/// <summary>
/// Upstream discovery from Kubernetes (<c>--discovery-upstreams kubernetes</c>): watches Services
/// (every namespace, or the ones given; filtered by a label selector) and keeps one upstream per
/// Service port in the store, beside the user's objects, as Gloo's upstream discovery did: it
/// creates what is missing, updates what it owns when the Service changed, and deletes what it
/// owns once the Service or port is gone. It owns only upstreams annotated
/// <c>generated_by: kubernetes-upstream-discovery</c>; a user's upstream of the same name is
/// left alone. Only the leading controller writes; function discovery then examines these
/// upstreams like any other, subject to its own opt-in.
/// </summary>
public sealed partial class KubernetesUpstreamDiscovery : IAsyncDisposable
{
    private readonly IConfigStore _store;
    private readonly ILeadership _leadership;
    private readonly KubernetesUpstreamDiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly KubernetesApi _api;
    private readonly ResourceWatch[] _watches;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly HashSet<string> _conflictsSaid = new(StringComparer.Ordinal);

    public KubernetesUpstreamDiscovery(KubernetesClientConfiguration cluster, IConfigStore store, ILeadership leadership, KubernetesUpstreamDiscoveryOptions options, ILogger? logger = null)
    {
        _store = store;
        _leadership = leadership;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _api = new KubernetesApi(cluster);
        var query = options.LabelSelector is { } selector ? $"?labelSelector={Uri.EscapeDataString(selector)}" : "";
        var paths = options.Namespaces.Count == 0
            ? [$"/api/v1/services{query}"]
            : options.Namespaces.Select(ns => $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/services{query}");
        _watches = [.. paths.Select(path => new ResourceWatch(_api, path, Changed, options.RetryDelay, _logger))];
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A controller that becomes leader catches up at once.
        void OnLeadershipChanged() => Changed();
        _leadership.Changed += OnLeadershipChanged;
        var watching = _watches.Select(w => Task.Run(() => w.RunAsync(cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(_watches.Select(w => w.Listed)).WaitAsync(cancellationToken);
            while (await _changed.Reader.WaitToReadAsync(cancellationToken))
            {
                _changed.Reader.TryRead(out _);
                if (!await SyncAsync(cancellationToken))
                {
                    await Task.Delay(_options.RetryDelay, cancellationToken);
                    Changed();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _leadership.Changed -= OnLeadershipChanged;
            await Task.WhenAll(watching).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One pass: the store brought in line with the Services. False when it must be tried again.</summary>
    private async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        if (!_leadership.IsLeader)
        {
            return true;
        }
        var desired = DiscoveredUpstreams.Of(_watches.SelectMany(w => w.Items));
        try
        {
            var stored = (await _store.LoadAsync(cancellationToken)).Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
            foreach (var (name, upstream) in desired)
            {
                if (!stored.TryGetValue(name, out var current))
                {
                    await _store.CreateAsync(upstream, cancellationToken);
                    Log.Created(_logger, name);
                }
                else if (!DiscoveredUpstreams.IsOwned(current))
                {
                    if (_conflictsSaid.Add(name))
                    {
                        Log.NotOwned(_logger, name);
                    }
                }
                else if (!DiscoveredUpstreams.SameAs(current, upstream))
                {
                    await _store.UpdateAsync(upstream with { Metadata = upstream.Metadata with { ResourceVersion = current.Metadata.ResourceVersion, Namespace = current.Metadata.Namespace } }, cancellationToken);
                }
            }
            foreach (var (name, current) in stored)
            {
                if (DiscoveredUpstreams.IsOwned(current) && !desired.ContainsKey(name))
                {
                    await _store.DeleteAsync(ConfigKind.Upstream, name, cancellationToken);
                    Log.Deleted(_logger, name);
                }
            }
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A conflict (someone wrote meanwhile) or a store that does not answer: again, from a fresh read.
            Log.SyncFailed(_logger, e.Message);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _changed.Writer.TryComplete();
        _api.Dispose();
        await ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = KubernetesEventIds.UpstreamDiscovered, Level = LogLevel.Information, Message = "Upstream discovery: created upstream '{Upstream}' for its Kubernetes Service port")]
        public static partial void Created(ILogger logger, string upstream);

        [LoggerMessage(EventId = KubernetesEventIds.UpstreamUndiscovered, Level = LogLevel.Information, Message = "Upstream discovery: deleted upstream '{Upstream}': its Kubernetes Service port is gone")]
        public static partial void Deleted(ILogger logger, string upstream);

        [LoggerMessage(EventId = KubernetesEventIds.UpstreamNotOwned, Level = LogLevel.Warning, Message = "Upstream discovery: an upstream named '{Upstream}' exists and was not written by discovery; it is left as it is")]
        public static partial void NotOwned(ILogger logger, string upstream);

        [LoggerMessage(EventId = KubernetesEventIds.UpstreamDiscoveryFailed, Level = LogLevel.Warning, Message = "Upstream discovery could not update the store ({Reason}); retrying")]
        public static partial void SyncFailed(ILogger logger, string reason);
    }
}
