using Microsoft.Extensions.Logging;
using Sluice.Gateway.Clusters.LoadBalancing;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// One plan of a cluster bound to live pieces: its endpoints, its pooled HTTP client, its
/// invokers, its load-balancing policy and its health checker. Immutable once made; a changed
/// plan makes a new model that takes over from the last whatever the change left alone (as
/// YARP's <c>ClusterModel</c> is swapped inside a long-lived <c>ClusterState</c>):
/// <list type="bullet">
/// <item>the client and its connection pool while the transport settings are equal (<see cref="ClusterClientFactory.CanReuse"/>);</item>
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
        Endpoints = plan.Endpoints.Select(e => previous?.TakeEndpoint(e, plan) ?? new EndpointState(e, plan)).ToArray();
        var keepsClient = previous is not null && ClusterClientFactory.CanReuse(previous.Plan, plan);
        Client = keepsClient ? previous!.HandOver(previous.Client) : ClusterClientFactory.Create(plan);
        Policy = previous is not null && previous.Plan.LoadBalancing == plan.LoadBalancing
            ? previous.Policy
            : LoadBalancingPolicies.Create(plan.LoadBalancing);

        var services = new InvokerServices(plan, Client, owner, loggerFactory);
        Invoker = keepsClient && previous!.Invoker is { } kept && Equals(previous.Plan.Invoker, plan.Invoker)
            ? previous.HandOver(kept)
            : plan.Invoker?.CreateInvoker(services);
        foreach (var function in plan.Functions)
        {
            if (function.Invoker is null)
            {
                continue;
            }
            _functionInvokers[function.Name] = keepsClient && previous!.Plan.Functions.Contains(function) && previous._functionInvokers.TryGetValue(function.Name, out var invoker)
                ? previous.HandOver(invoker)
                : function.Invoker.CreateInvoker(services);
        }
        if (plan.HealthCheck is { } healthCheck && Endpoints.Length > 0)
        {
            _healthChecker = new HealthChecker(owner, this, healthCheck, loggerFactory.CreateLogger<HealthChecker>());
        }
    }

    public ClusterPlan Plan { get; }

    public EndpointState[] Endpoints { get; }

    public HttpMessageInvoker Client { get; }

    public ILoadBalancingPolicy Policy { get; }

    /// <summary>The upstream plugin's invoker; null when requests are forwarded to the endpoints.</summary>
    public IInvoker? Invoker { get; }

    /// <summary>Who serves a request for <paramref name="function"/>: its own invoker, else the cluster's.</summary>
    public IInvoker? InvokerFor(string? function) =>
        function is not null && _functionInvokers.TryGetValue(function, out var invoker) ? invoker : Invoker;

    /// <summary>The endpoint at the same address with the same Host treatment, taken over by the next model.</summary>
    private EndpointState? TakeEndpoint(EndpointPlan endpoint, ClusterPlan next)
    {
        foreach (var candidate in Endpoints)
        {
            if (candidate.Plan == endpoint && Plan.AutoHostRewrite == next.AutoHostRewrite)
            {
                return HandOver(candidate);
            }
        }
        return null;
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
    }
}
