using Sluice.Api;

namespace Sluice.Plan;

/// <summary>
/// A virtual service's TLS: the certificate (PEM chain and key), the names it is served for, and
/// the CA clients must present a certificate from, if any (mTLS). Compares by value, so the gateway
/// rebuilds a handshake context only when the material changed.
/// </summary>
public sealed record TlsPlan
{
    /// <summary>Leaf first, then intermediates, as PEM.</summary>
    public required string CertificatePem { get; init; }

    public required string KeyPem { get; init; }

    /// <summary>When set, clients must present a certificate issued by this CA (mTLS).</summary>
    public string? ClientCaPem { get; init; }

    /// <summary>Lower-case SNI names (exact or leading-wildcard) this certificate answers for.</summary>
    public required ValueList<string> ServerNames { get; init; }

    /// <summary>Names and whether mTLS is on; never the key (nor the PEM), whoever logs a plan.</summary>
    public override string ToString() =>
        $"TlsPlan {{ ServerNames = [{string.Join(", ", ServerNames)}], Certificate = <redacted>, Key = <redacted>, MutualTls = {ClientCaPem is not null} }}";
}
