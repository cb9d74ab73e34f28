namespace Sluice.Plan;

/// <summary>
/// Limits that keep one struggling upstream from tying up the gateway (Gloo Edge's
/// circuitBreakers); null = unlimited. A request over a limit is answered 503 at once.
/// </summary>
public sealed record CircuitBreakerPlan
{
    /// <summary>Connections per endpoint (the connection pool's size).</summary>
    public int? MaxConnections { get; init; }

    /// <summary>Requests waiting for a connection, beyond those the connections carry.</summary>
    public int? MaxPendingRequests { get; init; }

    /// <summary>Requests in flight to the whole cluster.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Retries in flight to the whole cluster; a retry over it is not made.</summary>
    public int? MaxRetries { get; init; }
}
