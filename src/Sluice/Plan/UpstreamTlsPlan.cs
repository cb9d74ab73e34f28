namespace Sluice.Plan;

/// <summary>
/// How the gateway checks an upstream's certificate and which certificate it presents there.
/// Without a CA, the system's trust store decides.
/// </summary>
public sealed record UpstreamTlsPlan
{
    /// <summary>The only CA(s) the upstream's certificate may chain to (PEM).</summary>
    public string? RootCaPem { get; init; }

    /// <summary>The gateway's client certificate for upstream mTLS (PEM), with its key.</summary>
    public string? ClientCertificatePem { get; init; }

    public string? ClientKeyPem { get; init; }
}
