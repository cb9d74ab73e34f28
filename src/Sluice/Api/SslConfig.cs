namespace Sluice.Api;

/// <summary>TLS for a virtual service: a secret (<c>tls.crt</c>, <c>tls.key</c>, <c>tls.root</c>) or files.</summary>
public sealed record SslConfig
{
    public string? SecretRef { get; init; }

    public SslFiles? SslFiles { get; init; }

    /// <summary>Names served by this certificate; default: the virtual service's domains.</summary>
    public ValueList<string> SniDomains { get; init; } = ValueList<string>.Empty;
}
