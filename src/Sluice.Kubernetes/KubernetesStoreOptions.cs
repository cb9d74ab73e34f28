namespace Sluice.Kubernetes;

/// <summary>Where the Kubernetes store reads: which cluster, which namespaces, which API group.</summary>
public sealed record KubernetesStoreOptions
{
    /// <summary>Gloo's namespace, so a Gloo 0.x install is read without flags.</summary>
    public const string DefaultNamespace = "gloo-system";

    /// <summary>Gloo's API group: its 0.x manifests apply unchanged.</summary>
    public const string DefaultGroup = "gloo.solo.io";

    /// <summary>The namespace read and written (with <see cref="AllNamespaces"/>: the one new objects are created in).</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>Watch Upstreams, VirtualServices and Secrets of every namespace.</summary>
    public bool AllNamespaces { get; init; }

    /// <summary>A kubeconfig file; null means <c>KUBECONFIG</c>, <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    public string Group { get; init; } = DefaultGroup;

    public string Version { get; init; } = "v1";

    /// <summary>How long to wait before retrying a failed list or watch.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
