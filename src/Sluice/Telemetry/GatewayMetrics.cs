using Microsoft.AspNetCore.Http;
using Prometheus;
using Sluice.Api;

namespace Sluice.Telemetry;

/// <summary>
/// The gateway's Prometheus metrics, in a registry of its own (one per server, so two gateways in
/// one process never mix their numbers), served as text on the admin port's <c>/metrics</c>.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>Seconds; from a cache hit on loopback to a slow upstream near the default 15 s timeout.</summary>
    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public static readonly string[] StatusClasses = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];

    private static readonly string[] RequestLabelNames = ["virtual_service", "route", "upstream", "function"];
    private static readonly StatusState[] States = Enum.GetValues<StatusState>();

    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram _upstreamDuration;
    private readonly Counter _retries;
    private readonly Counter _reloads;
    private readonly Gauge _objects;
    private readonly Gauge _endpointHealthy;
    private readonly Gauge _endpointActive;
    private readonly Gauge _discoveryState;
    private readonly Gauge _discoveryFunctions;
    private readonly Counter _discoveryPasses;
    private readonly Counter _endpointUpdates;
    private readonly object _bindLock = new();
    private readonly HashSet<(string, string, string, string)> _bound = [];

    public GatewayMetrics()
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        _requests = factory.CreateCounter("sluice_requests_total", "Requests served, by where they were routed and the status class of the answer.",
            new CounterConfiguration { LabelNames = [.. RequestLabelNames, "status_class"] });
        _duration = factory.CreateHistogram("sluice_request_duration_seconds", "Whole request: from the gateway receiving it to the end of the response.",
            new HistogramConfiguration { LabelNames = RequestLabelNames, Buckets = DurationBuckets });
        _upstreamDuration = factory.CreateHistogram("sluice_upstream_duration_seconds", "The upstream or function call, retries included, until the response has been relayed.",
            new HistogramConfiguration { LabelNames = RequestLabelNames, Buckets = DurationBuckets });
        _retries = factory.CreateCounter("sluice_upstream_retries_total", "Attempts sent again after a 5xx or a connect failure (max_retries).",
            new CounterConfiguration { LabelNames = RequestLabelNames });
        InFlight = factory.CreateGauge("sluice_requests_in_flight", "Requests being served now.");
        _reloads = factory.CreateCounter("sluice_config_reloads_total", "Configuration snapshots translated: result=success (plan applied) or failure (previous plan kept).",
            new CounterConfiguration { LabelNames = ["result"] });
        // For the bench's allocated bytes per request; read at scrape time, free otherwise.
        var allocated = factory.CreateGauge("sluice_process_allocated_bytes", "Bytes the .NET runtime has allocated since the process started (GC.GetTotalAllocatedBytes).");
        _registry.AddBeforeCollectCallback(() => allocated.Set(GC.GetTotalAllocatedBytes()));
        ReloadSuccesses = _reloads.WithLabels("success");
        ReloadFailures = _reloads.WithLabels("failure");
        ReloadDuration = factory.CreateHistogram("sluice_config_reload_duration_seconds", "Time to translate a snapshot and swap its plan in.",
            new HistogramConfiguration { Buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
        LastReloadSuccess = factory.CreateGauge("sluice_config_last_reload_success_timestamp_seconds", "Unix time of the last configuration applied.");
        _objects = factory.CreateGauge("sluice_config_objects", "Configuration objects by kind and the status state this gateway gave them.",
            new GaugeConfiguration { LabelNames = ["kind", "state"] });
        _endpointHealthy = factory.CreateGauge("sluice_upstream_endpoint_healthy", "1 while an endpoint passes its health checks and is not ejected by outlier detection, else 0.",
            new GaugeConfiguration { LabelNames = ["upstream", "endpoint"] });
        _endpointActive = factory.CreateGauge("sluice_upstream_endpoint_active_requests", "Requests in flight to an endpoint.",
            new GaugeConfiguration { LabelNames = ["upstream", "endpoint"] });
        _discoveryState = factory.CreateGauge("sluice_discovery_upstream_state", "1 for the state function discovery is in with an upstream (pending, found, nothing, failing).",
            new GaugeConfiguration { LabelNames = ["upstream", "state"] });
        _discoveryFunctions = factory.CreateGauge("sluice_discovery_functions", "Functions discovery found on an upstream at its last pass.",
            new GaugeConfiguration { LabelNames = ["upstream"] });
        _discoveryPasses = factory.CreateCounter("sluice_discovery_passes_total", "Times discovery examined an upstream (probes, listings, reflection calls).",
            new CounterConfiguration { LabelNames = ["upstream"] });
        _endpointUpdates = factory.CreateCounter("sluice_upstream_endpoint_updates_total", "Endpoint lists an endpoint feed (Kubernetes, Consul) swapped into a running upstream, without translating the configuration again.",
            new CounterConfiguration { LabelNames = ["upstream"] });
        AccessLogDropped = factory.CreateCounter("sluice_access_log_dropped_total", "Access log lines dropped because the writer fell behind.");
        StatsdDropped = factory.CreateCounter("sluice_statsd_dropped_total", "StatsD samples dropped because the sender fell behind.");
    }

    public Gauge InFlight { get; }

    public Counter.Child ReloadSuccesses { get; }

    public Counter.Child ReloadFailures { get; }

    public Histogram ReloadDuration { get; }

    public Gauge LastReloadSuccess { get; }

    public Counter AccessLogDropped { get; }

    public Counter StatsdDropped { get; }

    public void EndpointsUpdated(string upstream) => _endpointUpdates.WithLabels(upstream).Inc();

    /// <summary>Endpoint-only updates of <paramref name="upstream"/> so far (0 before the first).</summary>
    public double EndpointUpdates(string upstream) =>
        _endpointUpdates.GetAllLabelValues().Any(l => l[0] == upstream) ? _endpointUpdates.WithLabels(upstream).Value : 0;

    /// <summary>1xx..5xx → 1..5; anything else → 0 ("other").</summary>
    public static int StatusClassIndex(int status) => status is >= 100 and < 600 ? status / 100 : 0;

    /// <summary>The children for <paramref name="labels"/>; looked up once per label set and kept on it.</summary>
    public BoundMetrics Bind(RequestLabels labels)
    {
        var bound = labels.Metrics;
        if (bound is not null && bound.Owner == this)
        {
            return bound;
        }
        string[] values = [labels.VirtualService, labels.Route, labels.Upstream, labels.Function];
        lock (_bindLock)
        {
            _bound.Add((labels.VirtualService, labels.Route, labels.Upstream, labels.Function));
        }
        var byClass = new Counter.Child[StatusClasses.Length];
        for (var i = 0; i < byClass.Length; i++)
        {
            byClass[i] = _requests.WithLabels([.. values, StatusClasses[i]]);
        }
        bound = new BoundMetrics(this, byClass, _duration.WithLabels(values), _upstreamDuration.WithLabels(values), _retries.WithLabels(values));
        labels.Metrics = bound;
        return bound;
    }

    /// <summary>
    /// Drops the series of label sets the new plan no longer has (a removed route or upstream),
    /// so the series count follows the configuration. A request still finishing on the old plan
    /// then counts into a child that is no longer exported.
    /// </summary>
    public void Retain(Sluice.Plan.ProxyPlan plan)
    {
        var live = new HashSet<(string, string, string, string)>();
        foreach (var host in plan.VirtualHosts)
        {
            live.Add((host.Name, "", "", ""));
            foreach (var route in host.Routes)
            {
                live.Add((host.Name, route.Name, "", ""));
                foreach (var destination in route.Destinations)
                {
                    live.Add((host.Name, route.Name, destination.Cluster ?? "", destination.Function ?? ""));
                }
            }
        }
        live.Add(("", "", "", ""));
        foreach (var labels in _endpointUpdates.GetAllLabelValues().Where(l => !plan.Clusters.Any(c => c.Name == l[0])).ToList())
        {
            _endpointUpdates.RemoveLabelled(labels);
        }
        lock (_bindLock)
        {
            foreach (var stale in _bound.Where(b => !live.Contains(b)).ToList())
            {
                string[] values = [stale.Item1, stale.Item2, stale.Item3, stale.Item4];
                foreach (var statusClass in StatusClasses)
                {
                    _requests.RemoveLabelled([.. values, statusClass]);
                }
                _duration.RemoveLabelled(values);
                _upstreamDuration.RemoveLabelled(values);
                _retries.RemoveLabelled(values);
                _bound.Remove(stale);
            }
        }
    }

    /// <summary>Sets the object counts to what the last translation judged (every known pair, zeros included).</summary>
    public void SetObjects(IEnumerable<(ConfigKind Kind, StatusState State)> objects)
    {
        var counts = objects.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        foreach (var kind in new[] { ConfigKind.Upstream, ConfigKind.VirtualService })
        {
            foreach (var state in States)
            {
                _objects.WithLabels(KindLabel(kind), state.ToString().ToLowerInvariant()).Set(counts.GetValueOrDefault((kind, state)));
            }
        }
    }

    /// <summary>
    /// Endpoint state is read from the live plan when scraped, not pushed per request: the series
    /// follow the configured endpoints, and a removed endpoint's series go with it.
    /// </summary>
    public void ObserveEndpoints(Func<IEnumerable<(string Upstream, string Endpoint, bool Healthy, int ActiveRequests)>> endpoints) =>
        _registry.AddBeforeCollectCallback(() =>
        {
            var seen = new HashSet<(string, string)>();
            foreach (var (upstream, endpoint, healthy, active) in endpoints())
            {
                seen.Add((upstream, endpoint));
                _endpointHealthy.WithLabels(upstream, endpoint).Set(healthy ? 1 : 0);
                _endpointActive.WithLabels(upstream, endpoint).Set(active);
            }
            foreach (var labels in _endpointHealthy.GetAllLabelValues().Where(l => !seen.Contains((l[0], l[1]))).ToList())
            {
                _endpointHealthy.RemoveLabelled(labels);
                _endpointActive.RemoveLabelled(labels);
            }
        });

    /// <summary>Discovery's state per upstream, read when scraped (series of upstreams no longer examined go).</summary>
    public void ObserveDiscovery(Func<IEnumerable<(string Upstream, string State, int Functions, int Passes)>> states) =>
        _registry.AddBeforeCollectCallback(() =>
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (upstream, state, functions, passes) in states())
            {
                seen.Add(upstream);
                foreach (var name in (string[])["pending", "found", "nothing", "failing"])
                {
                    _discoveryState.WithLabels(upstream, name).Set(name == state ? 1 : 0);
                }
                _discoveryFunctions.WithLabels(upstream).Set(functions);
                _discoveryPasses.WithLabels(upstream).IncTo(passes);
            }
            foreach (var labels in _discoveryFunctions.GetAllLabelValues().Where(l => !seen.Contains(l[0])).ToList())
            {
                _discoveryFunctions.RemoveLabelled(labels);
                _discoveryPasses.RemoveLabelled(labels);
                foreach (var stateLabels in _discoveryState.GetAllLabelValues().Where(s => s[0] == labels[0]).ToList())
                {
                    _discoveryState.RemoveLabelled(stateLabels);
                }
            }
        });

    /// <summary>
    /// The control side, read when scraped: whether the store answers (a gateway cut off from etcd
    /// keeps serving its last plan and says so here) and whether this process leads the controllers.
    /// </summary>
    public void ObserveControl(Func<bool> storeReachable, Func<bool> isLeader)
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        var reachable = factory.CreateGauge("sluice_store_reachable", "1 while the configuration store answers, 0 while this process serves its last plan without it.");
        var leader = factory.CreateGauge("sluice_controller_leader", "1 while this process is the controller that writes statuses, else 0.");
        _registry.AddBeforeCollectCallback(() =>
        {
            reachable.Set(storeReachable() ? 1 : 0);
            leader.Set(isLeader() ? 1 : 0);
        });
    }

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await _registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private static string KindLabel(ConfigKind kind) => kind == ConfigKind.Upstream ? "upstream" : "virtual_service";
}
