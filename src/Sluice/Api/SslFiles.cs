namespace Sluice.Api;

public sealed record SslFiles
{
    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>When set, clients must present a certificate signed by it (mTLS).</summary>
    public string? RootCa { get; init; }
}
