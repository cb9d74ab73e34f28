using Sluice.Api;

namespace Sluice.Plan;

/// <summary>
/// Where an upstream's traffic goes and how to connect. Compares by value: the gateway keeps a
/// cluster's connection pool across reloads while its plan stays equal.
/// </summary>
public sealed record ClusterPlan
{
    /// <summary>The upstream's name.</summary>
    public required string Name { get; init; }

    public required ValueList<EndpointPlan> Endpoints { get; init; }

    /// <summary>
    /// Where the endpoints come from at run time (Kubernetes, Consul); null = <see cref="Endpoints"/>
    /// as translated. With a feed, the translated list is empty and the gateway fills it from the
    /// feed's latest delivery, without translating again.
    /// </summary>
    public IEndpointFeedSpec? EndpointFeed { get; init; }

    public bool UseTls { get; init; }

    /// <summary>Server name for TLS; null = the endpoint's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Certificate checks and client certificate for TLS; null = system trust, no client certificate.</summary>
    public UpstreamTlsPlan? Tls { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Send the endpoint's own host name as Host (set for DNS-named hosts, as Gloo did).</summary>
    public bool AutoHostRewrite { get; init; }

    /// <summary>Speak HTTP/2 to the endpoints (prior knowledge over cleartext, ALPN over TLS): gRPC.</summary>
    public bool UseHttp2 { get; init; }

    /// <summary>The functions the upstream declares (a route to another name answers 404).</summary>
    public ValueList<FunctionPlan> Functions { get; init; } = ValueList<FunctionPlan>.Empty;

    public LoadBalancingPolicy LoadBalancing { get; init; }

    /// <summary>Active health checking of the endpoints; null = every endpoint counts as healthy.</summary>
    public HealthCheckPlan? HealthCheck { get; init; }

    /// <summary>Passive health: ejection of endpoints that fail real requests; null = off.</summary>
    public OutlierDetectionPlan? OutlierDetection { get; init; }

    /// <summary>Connection and request limits; null = none.</summary>
    public CircuitBreakerPlan? CircuitBreakers { get; init; }

    /// <summary>
    /// Any function name is valid (it is data, e.g. a NATS subject), so routes to names the
    /// upstream does not list are served instead of answering 404.
    /// </summary>
    public bool AcceptsAnyFunction { get; init; }

    /// <summary>How the upstream plugin serves requests, when not by forwarding to the endpoints.</summary>
    public IInvokerSpec? Invoker { get; init; }
}
