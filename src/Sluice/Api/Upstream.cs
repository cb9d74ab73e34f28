namespace Sluice.Api;

/// <summary>A place requests can go: one cluster, chosen by <see cref="Type"/>'s plugin.</summary>
public sealed record Upstream : IConfigObject
{
    public required string Name { get; init; }

    /// <summary>Selects the upstream plugin: <c>static</c> (alias <c>service</c>), <c>kubernetes</c>, …</summary>
    public required string Type { get; init; }

    /// <summary>Time allowed to open a connection; Gloo's default is 5 s.</summary>
    public TimeSpan? ConnectionTimeout { get; init; }

    public Struct Spec { get; init; } = Struct.Empty;

    public ValueList<UpstreamFunction> Functions { get; init; } = ValueList<UpstreamFunction>.Empty;

    public ServiceInfo? ServiceInfo { get; init; }

    /// <summary>Speak HTTP/2 to the upstream, as gRPC servers need (Sluice).</summary>
    public bool UseHttp2 { get; init; }

    /// <summary>Active health checks, in Gloo Edge's shape (Sluice); read by the translator.</summary>
    public ValueList<Struct> HealthChecks { get; init; } = ValueList<Struct>.Empty;

    /// <summary><c>{policy: round_robin | least_request | random | power_of_two}</c> (Sluice).</summary>
    public Struct LoadBalancer { get; init; } = Struct.Empty;

    /// <summary>Passive health (Sluice); read, not applied yet.</summary>
    public Struct OutlierDetection { get; init; } = Struct.Empty;

    /// <summary>Connection and request limits (Sluice); read, not applied yet.</summary>
    public Struct CircuitBreakers { get; init; } = Struct.Empty;

    public Metadata Metadata { get; init; } = Metadata.Empty;

    public Status? Status { get; init; }

    public ConfigKind Kind => ConfigKind.Upstream;
}
