namespace Sluice.Gateway;

/// <summary>
/// Per-request facts the shared, stateless <see cref="RouteTransformer"/> needs: which endpoint
/// was picked, and whether a 5xx may be retried instead of passed on. Carried as a feature.
/// </summary>
internal sealed class ProxyRequestState
{
    public required EndpointState Endpoint { get; set; }

    /// <summary>The immediate peer is a trusted proxy: its forwarding headers are passed on.</summary>
    public bool FromTrustedProxy { get; init; }

    /// <summary>True while attempts remain: a 5xx is then held back and retried.</summary>
    public bool MayRetry { get; set; }

    /// <summary>Set by the transformer when it held back a 5xx.</summary>
    public bool RetryRequested { get; set; }

    /// <summary>Attempts sent again so far (metrics, access log, trace).</summary>
    public int Retries { get; set; }
}
