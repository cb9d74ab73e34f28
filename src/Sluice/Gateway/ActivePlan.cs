using Microsoft.Extensions.Logging;
using Sluice.Gateway.Clusters;
using Sluice.Plan;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>
/// The plan being served, bound to run-time state. Immutable: a reload builds a new one and swaps
/// it in; requests in flight finish on the one they started with.
/// </summary>
internal sealed class ActivePlan
{
    private static readonly DomainTable<TlsContext> EmptyCertificates = new([]);

    public static readonly ActivePlan Empty = new(ProxyPlan.Empty, new HostTable([]), new HostTable([]), EmptyCertificates, [], new Dictionary<string, ClusterState>());

    private ActivePlan(
        ProxyPlan plan,
        HostTable hosts,
        HostTable tlsHosts,
        DomainTable<TlsContext> certificates,
        IReadOnlyList<TlsContext> tlsContexts,
        IReadOnlyDictionary<string, ClusterState> clusters)
    {
        Plan = plan;
        Hosts = hosts;
        TlsHosts = tlsHosts;
        Certificates = certificates;
        TlsContexts = tlsContexts;
        Clusters = clusters;
    }

    public ProxyPlan Plan { get; }

    /// <summary>Every virtual host, for plain-HTTP requests (TLS-only hosts there redirect to HTTPS).</summary>
    public HostTable Hosts { get; }

    /// <summary>The hosts with <c>ssl_config</c>: the only ones served on the HTTPS listener.</summary>
    public HostTable TlsHosts { get; }

    /// <summary>Certificates by SNI name, for the HTTPS listener's handshakes.</summary>
    public DomainTable<TlsContext> Certificates { get; }

    public IReadOnlyList<TlsContext> TlsContexts { get; }

    public IReadOnlyDictionary<string, ClusterState> Clusters { get; }

    /// <summary>
    /// Binds a plan to run-time state. Every upstream keeps its one <see cref="ClusterState"/> for
    /// as long as it exists; a changed upstream swaps in a new model that takes over what the
    /// change left alone (its connection pool, endpoints, invokers). TLS contexts are kept while
    /// their plan is unchanged. Returns what the new plan no longer uses (replaced models, removed
    /// upstreams, old TLS contexts), to dispose once requests still on it have finished.
    /// </summary>
    public static (ActivePlan Plan, IReadOnlyList<IAsyncDisposable> Retired) Build(ProxyPlan plan, ActivePlan previous, ILoggerFactory loggerFactory, RuntimeFindings? findings = null)
    {
        var clusters = new Dictionary<string, ClusterState>(StringComparer.Ordinal);
        var retired = new List<IAsyncDisposable>();
        foreach (var cluster in plan.Clusters)
        {
            if (previous.Clusters.TryGetValue(cluster.Name, out var state))
            {
                if (state.Update(cluster) is { } replaced)
                {
                    retired.Add(replaced);
                }
            }
            else
            {
                state = new ClusterState(cluster, loggerFactory, findings);
            }
            clusters[cluster.Name] = state;
        }
        retired.AddRange(previous.Clusters.Values.Where(c => !clusters.ContainsKey(c.Plan.Name)));

        var previousContexts = previous.TlsContexts.ToDictionary(c => c.Plan);
        // The same scope instance as before when names and client CA are unchanged, so connections
        // opened before a certificate rotation keep being served.
        var scopes = previous.TlsContexts.Select(c => c.Scope).Distinct().ToDictionary(s => s);
        var tlsContexts = plan.VirtualHosts
            .Select(h => h.Tls)
            .OfType<TlsPlan>()
            .Distinct()
            .Select(tls => previousContexts.Remove(tls, out var kept) ? kept : new TlsContext(tls, Intern(scopes, tls)))
            .ToList();
        retired.AddRange(previousContexts.Values.Select(c => new DisposeLater(c)));
        var scopeOf = tlsContexts.ToDictionary(c => c.Plan, c => c.Scope);

        var hosts = plan.VirtualHosts.Select(host => new VirtualHostState(host, host.Routes.Select(route => new RouteState(
            route,
            route.Destinations.Select(d => new DestinationState(
                d, d.Cluster is null ? null : clusters[d.Cluster], RequestLabels.ForDestination(host, route, d))).ToArray(),
            RequestLabels.ForRoute(host, route))).ToArray(), RequestLabels.ForHost(host), host.Tls is null ? null : scopeOf[host.Tls])).ToList();
        return (new ActivePlan(
            plan,
            new HostTable(hosts),
            new HostTable(hosts.Where(h => h.Plan.Tls is not null)),
            new DomainTable<TlsContext>(tlsContexts.SelectMany(c => c.Plan.ServerNames.Select(name => (name, c)))),
            tlsContexts,
            clusters), retired);
    }

    private static TlsScope Intern(Dictionary<TlsScope, TlsScope> scopes, TlsPlan tls)
    {
        var scope = new TlsScope(tls.ServerNames, tls.ClientCaPem);
        if (!scopes.TryGetValue(scope, out var existing))
        {
            scopes[scope] = existing = scope;
        }
        return existing;
    }

    /// <summary>Lets a synchronous disposable retire with the clusters.</summary>
    private sealed class DisposeLater(IDisposable disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
