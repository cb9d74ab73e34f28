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

    /// <summary>Which parts are set; never the key (nor the PEM), whoever logs a plan.</summary>
    public override string ToString() =>
        $"UpstreamTlsPlan {{ RootCa = {Redacted(RootCaPem)}, ClientCertificate = {Redacted(ClientCertificatePem)}, ClientKey = {Redacted(ClientKeyPem)} }}";

    private static string Redacted(string? value) => value is null ? "none" : "<redacted>";
}
