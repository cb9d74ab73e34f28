using Sluice.Plan;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>A virtual host of the active plan: its routes, ready to match in order.</summary>
internal sealed class VirtualHostState(VirtualHostPlan plan, RouteState[] routes, RequestLabels labels, TlsScope? tlsScope)
{
    public VirtualHostPlan Plan { get; } = plan;

    public RouteState[] Routes { get; } = routes;

    /// <summary>The routes indexed by literal path; its positions are those of <see cref="Routes"/>.</summary>
    public RouteIndex Index { get; } = new(routes.Select(r => r.Plan).ToArray());

    /// <summary>The distinct gates of the host's routes, run before matching (e.g. the CloudEvents check of hosts with event routes).</summary>
    public IRequestGate[] Gates { get; } = routes.SelectMany(r => r.Plan.Gates).Distinct().ToArray();

    /// <summary>Metric labels of requests no route of this host matches.</summary>
    public RequestLabels Labels { get; } = labels;

    /// <summary>Set for TLS hosts: HTTPS requests are served only on connections of this scope.</summary>
    public TlsScope? TlsScope { get; } = tlsScope;
}
