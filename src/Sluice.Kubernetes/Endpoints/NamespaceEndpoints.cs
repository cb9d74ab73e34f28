using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sluice.Gateway.Endpoints;
using Sluice.Plugins.Kubernetes;

namespace Sluice.Kubernetes.Endpoints;

/// <summary>
/// The Services and EndpointSlices of one namespace, each kept by a <see cref="ResourceWatch"/>
/// (list, then watch resumed from its last version, re-listed on 410 Gone), and the upstreams of
/// that namespace that subscribed. One pair of watches serves every upstream of the namespace.
/// </summary>
/// <remarks>
/// Deliveries go out from one loop, never from inside a lock of this class: a cluster subscribes
/// and unsubscribes while holding its own lock, and a delivery takes that lock, so delivering
/// under ours could deadlock. One loop also keeps deliveries in order: a sink never gets an older
/// list after a newer one.
/// </remarks>
internal sealed class NamespaceEndpoints : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly ResourceWatch _services;
    private readonly ResourceWatch _slices;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public NamespaceEndpoints(KubernetesApi api, string ns, TimeSpan retryDelay, ILogger logger)
    {
        var escaped = Uri.EscapeDataString(ns);
        _services = new ResourceWatch(api, $"/api/v1/namespaces/{escaped}/services", Changed, retryDelay, logger);
        _slices = new ResourceWatch(api, $"/apis/discovery.k8s.io/v1/namespaces/{escaped}/endpointslices", Changed, retryDelay, logger);
        var token = _stop.Token;
        _running = Task.WhenAll(
            Task.Run(() => _services.RunAsync(token), CancellationToken.None),
            Task.Run(() => _slices.RunAsync(token), CancellationToken.None),
            Task.Run(() => DeliverAsync(token), CancellationToken.None));
    }

    /// <summary>True once no upstream is subscribed any more.</summary>
    public bool IsUnused
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count == 0;
            }
        }
    }

    public IDisposable Add(KubernetesServiceFeed feed, IEndpointSink sink)
    {
        var subscriber = new Subscriber(this, feed, sink);
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }
        Changed();
        return subscriber;
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _changed.Reader.WaitToReadAsync(cancellationToken))
            {
                // Read the signal before the state: a change arriving meanwhile signals again.
                _changed.Reader.TryRead(out _);
                Deliver();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Deliver()
    {
        // Until both are listed, what is known is incomplete: an upstream would lose endpoints it has.
        if (!_services.Listed.IsCompleted || !_slices.Listed.IsCompleted)
        {
            return;
        }
        Subscriber[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }
        var services = _services.Items.ToDictionary(NameOf, StringComparer.Ordinal);
        var slicesByService = _slices.Items.ToLookup(s => s["metadata"]?["labels"]?[ServicePortEndpoints.ServiceNameLabel]?.GetValue<string>() ?? "", StringComparer.Ordinal);
        foreach (var subscriber in subscribers)
        {
            var feed = subscriber.Feed;
            subscriber.Sink.Publish(ServicePortEndpoints.Resolve(services.GetValueOrDefault(feed.Service), slicesByService[feed.Service], feed.Port));
        }
    }

    private static string NameOf(JsonObject item) => item["metadata"]?["name"]?.GetValue<string>() ?? "";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private sealed class Subscriber(NamespaceEndpoints owner, KubernetesServiceFeed feed, IEndpointSink sink) : IDisposable
    {
        public KubernetesServiceFeed Feed { get; } = feed;

        public IEndpointSink Sink { get; } = sink;

        public void Dispose() => owner.Remove(this);
    }
}
