using Microsoft.Extensions.Logging;
using Sluice.Gateway.Clusters.LoadBalancing;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// One plan of a cluster bound to live pieces: its endpoints, its pooled HTTP client, its
/// invokers, its load-balancing policy and its health checker (started once it is current). Immutable once made; a changed
/// plan makes a new model that takes over from the last whatever the change left alone (as
/// YARP's <c>ClusterModel</c> is swapped inside a long-lived <c>ClusterState</c>):
/// <list type="bullet">
/// <item>the client and its connection pool while the transport settings are equal (<see cref="ClusterClientFactory.CanReuse"/>), and so the direct forwarder's connections on the endpoints;</item>
/// <item>endpoints by address: health, reachability, ejections, requests in flight;</item>
/// <item>invokers (a NATS connection) while their spec is equal (a spec depends on its client only through the transport settings);</item>
/// <item>the load-balancing policy (its counters) while it is the same policy.</item>
/// </list>
/// </summary>
internal sealed class ClusterModel : IAsyncDisposable
{
    private readonly Dictionary<string, IInvoker> _functionInvokers = new(StringComparer.Ordinal);
    private HealthChecker? _healthChecker;

    /// <summary>What the next model took over (and so this one must not dispose).</summary>
    private readonly HashSet<object> _handedOver = new(ReferenceEqualityComparer.Instance);

    public ClusterModel(ClusterPlan plan, ClusterModel? previous, ClusterState owner, ILoggerFactory loggerFactory)
    {
        Plan = plan;
        var kept = previous?.KeptEndpoints(plan);
        Endpoints = plan.Endpoints.Select(e => kept?.GetValueOrDefault(e) is { } state ? previous!.HandOver(state) : new EndpointState(e, plan)).ToArray();
        var keepsClient = previous is not null && ClusterClientFactory.CanReuse(previous.Plan, plan);
        if (!keepsClient)
        {
            // The direct forwarder's connections follow the client's rule: new transport settings, new connections.
            foreach (var endpoint in Endpoints)
            {
                endpoint.CloseConnections();
            }
        }
        ForwardsDirect = !plan.UseTls && !plan.UseHttp2 && plan.CircuitBreakers?.MaxConnections is null;
        Client = keepsClient ? previous!.HandOver(previous.Client) : ClusterClientFactory.Create(plan);
        Policy = previous is not null && previous.Plan.LoadBalancing == plan.LoadBalancing
            ? previous.Policy
            : LoadBalancingPolicies.Create(plan.LoadBalancing);

        Findings = owner.NewFindingsScope(plan.Name);
        var services = new InvokerServices(plan, Client, owner, loggerFactory, Findings);
        Invoker = plan.Invoker is null ? null : Bind(plan.Invoker, previous?.Plan.Invoker, previous?.Invoker, previous, keepsClient, services);
        foreach (var function in plan.Functions)
        {
            if (function.Invoker is null)
            {
                continue;
            }
            IInvoker? previousInvoker = null;
            var previousSpec = previous?.Plan.Functions.FirstOrDefault(f => f.Name == function.Name)?.Invoker;
            previous?._functionInvokers.TryGetValue(function.Name, out previousInvoker);
            _functionInvokers[function.Name] = Bind(function.Invoker, previousSpec, previousInvoker, previous, keepsClient, services);
        }
    }

    /// <summary>Starts active health checks, if the plan has them; called once the model is the cluster's current one.</summary>
    public void StartHealthChecks(ClusterState owner, ILoggerFactory loggerFactory)
    {
        if (Plan.HealthCheck is { } healthCheck && Endpoints.Length > 0)
        {
            _healthChecker = new HealthChecker(owner, this, healthCheck, loggerFactory.CreateLogger<HealthChecker>());
        }
    }

    public ClusterPlan Plan { get; }

    /// <summary>What this model's invokers learned once running; closed when the model is replaced.</summary>
    public IRuntimeFindings Findings { get; }

    public EndpointState[] Endpoints { get; }

    public HttpMessageInvoker Client { get; }

    /// <summary>
    /// The direct forwarder may serve this cluster (when it is on): plain-text HTTP/1.1 without a
    /// connection limit. TLS, HTTP/2 and <c>max_connections</c> (a queue for a connection) are HttpClient's.
    /// </summary>
    public bool ForwardsDirect { get; }

    public ILoadBalancingPolicy Policy { get; }

    /// <summary>The upstream plugin's invoker; null when requests are forwarded to the endpoints.</summary>
    public IInvoker? Invoker { get; }

    /// <summary>Who serves a request for <paramref name="function"/>: its own invoker, else the cluster's.</summary>
    public IInvoker? InvokerFor(string? function) =>
        function is not null && _functionInvokers.TryGetValue(function, out var invoker) ? invoker : Invoker;

    /// <summary>
    /// The live invoker for <paramref name="spec"/>: the previous one when its spec is equal (and
    /// the client it may hold is kept), one built on part of it when the spec can take it over
    /// (a NATS connection with unchanged settings), else a new one.
    /// </summary>
    private static IInvoker Bind(IInvokerSpec spec, IInvokerSpec? previousSpec, IInvoker? previousInvoker, ClusterModel? previous, bool keepsClient, InvokerServices services)
    {
        if (previous is null || previousSpec is null || previousInvoker is null)
        {
            return spec.CreateInvoker(services);
        }
        if (keepsClient && Equals(previousSpec, spec))
        {
            return previous.HandOver(previousInvoker);
        }
        return spec.CanTakeOver(previousSpec)
            ? spec.CreateInvoker(services, previous.HandOver(previousInvoker))
            : spec.CreateInvoker(services);
    }

    /// <summary>
    /// This model's endpoints by address, for the next model to take over those it keeps; none
    /// when the Host treatment changed. A lookup, not a scan per endpoint: an endpoint feed swaps
    /// models of thousands of endpoints on every pod change.
    /// </summary>
    private Dictionary<EndpointPlan, EndpointState>? KeptEndpoints(ClusterPlan next)
    {
        if (Plan.AutoHostRewrite != next.AutoHostRewrite)
        {
            return null;
        }
        var byAddress = new Dictionary<EndpointPlan, EndpointState>(Endpoints.Length);
        foreach (var endpoint in Endpoints)
        {
            // A static list may name an address twice: the first one is taken over, as before.
            byAddress.TryAdd(endpoint.Plan, endpoint);
        }
        return byAddress;
    }

    private T HandOver<T>(T piece) where T : notnull
    {
        lock (_handedOver)
        {
            _handedOver.Add(piece);
        }
        return piece;
    }

    /// <summary>A replaced model's probes stop at once: the next model probes the same endpoints.</summary>
    public void StopHealthChecks()
    {
        var checker = Interlocked.Exchange(ref _healthChecker, null);
        if (checker is not null)
        {
            _ = checker.DisposeAsync().AsTask();
        }
    }

    /// <summary>Disposes what this model owns and no later model took over.</summary>
    public async ValueTask DisposeAsync()
    {
        StopHealthChecks();
        foreach (var invoker in _functionInvokers.Values.Append(Invoker))
        {
            if (invoker is IAsyncDisposable disposable && !_handedOver.Contains(invoker))
            {
                await disposable.DisposeAsync();
            }
        }
        if (!_handedOver.Contains(Client))
        {
            Client.Dispose();
        }
        foreach (var endpoint in Endpoints)
        {
            if (!_handedOver.Contains(endpoint))
            {
                endpoint.CloseConnections();
            }
        }
    }
}
