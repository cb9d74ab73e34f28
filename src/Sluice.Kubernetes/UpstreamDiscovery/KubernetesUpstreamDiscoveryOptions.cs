namespace Sluice.Kubernetes.UpstreamDiscovery;

/// <summary>Which Services upstream discovery turns into upstreams.</summary>
public sealed record KubernetesUpstreamDiscoveryOptions
{
    /// <summary>The namespaces watched; empty = every namespace (but <c>kube-system</c>).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>A Kubernetes label selector (<c>app=web,tier!=db</c>) Services must match; null = all.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>How long to wait before retrying a failed watch or write.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
