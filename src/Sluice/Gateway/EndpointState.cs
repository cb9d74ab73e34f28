using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>One endpoint with what requests need from it computed once: its URL prefix and Host.</summary>
internal sealed class EndpointState(EndpointPlan plan, string scheme, ClusterPlan cluster)
{
    public EndpointPlan Plan { get; } = plan;

    /// <summary>"http://10.0.0.1:8080", "https://[::1]:8443".</summary>
    public string Prefix { get; } = $"{scheme}://{FormatHost(plan.Host)}:{plan.Port}";

    /// <summary>The Host header when the cluster rewrites it to its own name; null keeps the client's.</summary>
    public string? HostHeader { get; } = cluster.AutoHostRewrite
        ? (plan.Port is 80 or 443 ? plan.Host : $"{plan.Host}:{plan.Port}")
        : null;

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;
}
