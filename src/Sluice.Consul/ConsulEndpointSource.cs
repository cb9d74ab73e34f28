using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Gateway.Endpoints;
using Sluice.Plan;
using Sluice.Plugins.Consul;

namespace Sluice.Consul;

/// <summary>
/// Feeds <c>type: consul</c> upstreams (<see cref="ConsulServiceFeed"/>) from Consul's health
/// API: one blocking query per upstream and datacenter, for the instances that pass all their
/// checks, delivered to the running cluster as an endpoint-only update (no new translation).
/// </summary>
public sealed class ConsulEndpointSource : IEndpointSource, IDisposable
{
    private readonly ConsulOptions _options;
    private readonly ConsulClient _client;
    private readonly ILogger _logger;

    public ConsulEndpointSource(ConsulOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _client = new ConsulClient(options);
        _logger = loggers.CreateLogger<ConsulEndpointSource>();
    }

    public bool Serves(IEndpointFeedSpec feed) => feed is ConsulServiceFeed;

    public IDisposable Subscribe(IEndpointFeedSpec feed, IEndpointSink sink) =>
        new Subscription(this, (ConsulServiceFeed)feed, sink);

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The watches of one upstream: one per datacenter (or one on the agent's own), whose latest
    /// answers are merged into the one list the cluster gets.
    /// </summary>
    private sealed class Subscription : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private readonly ValueList<EndpointPlan>?[] _latest;
        private readonly IEndpointSink _sink;

        public Subscription(ConsulEndpointSource source, ConsulServiceFeed feed, IEndpointSink sink)
        {
            _sink = sink;
            IReadOnlyList<string?> dataCenters = feed.DataCenters.Count == 0 ? [null] : feed.DataCenters;
            _latest = new ValueList<EndpointPlan>?[dataCenters.Count];
            for (var i = 0; i < dataCenters.Count; i++)
            {
                var slot = i;
                var dataCenter = dataCenters[i];
                var what = dataCenter is null ? feed.Describe() : $"{feed.Describe()} (datacenter {dataCenter})";
                _ = BlockingQuery.RunAsync(
                    what,
                    (index, token) => source._client.PassingEndpointsAsync(feed.ServiceName, feed.Tags, dataCenter, index, token),
                    (endpoints, _) =>
                    {
                        Deliver(slot, endpoints);
                        return Task.CompletedTask;
                    },
                    source._options,
                    source._logger,
                    _stop.Token);
            }
        }

        private void Deliver(int slot, ValueList<EndpointPlan> endpoints)
        {
            lock (_lock)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                _latest[slot] = endpoints;
                var merged = _latest.Where(l => l is not null).SelectMany(l => l!).Distinct()
                    .OrderBy(e => e.Host, StringComparer.Ordinal).ThenBy(e => e.Port);
                // Under the lock, so two datacenters' answers reach the sink in the order they were merged.
                _sink.Publish(new(merged));
            }
        }

        /// <summary>Stops the watches; after this returns nothing more is delivered.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                _stop.Cancel();
            }
        }
    }
}
