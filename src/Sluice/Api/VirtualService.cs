namespace Sluice.Api;

/// <summary>A set of domains and the ordered routes served for them (Envoy's virtual host).</summary>
public sealed record VirtualService : IConfigObject
{
    public required string Name { get; init; }

    /// <summary>Host names; wildcards <c>*.a.com</c> and <c>*-b.a.com</c>; empty means <c>*</c>.</summary>
    public ValueList<string> Domains { get; init; } = ValueList<string>.Empty;

    /// <summary>Tried in order; the first match wins.</summary>
    public ValueList<Route> Routes { get; init; } = ValueList<Route>.Empty;

    public SslConfig? SslConfig { get; init; }

    public bool DisableForGateways { get; init; }

    public Metadata Metadata { get; init; } = Metadata.Empty;

    public Status? Status { get; init; }

    public ConfigKind Kind => ConfigKind.VirtualService;
}
