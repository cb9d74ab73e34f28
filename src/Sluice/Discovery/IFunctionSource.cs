namespace Sluice.Discovery;

/// <summary>
/// One way of finding an upstream's functions (OpenAPI, gRPC reflection, a listing API). The
/// service asks each source in order and uses the first that claims the upstream.
/// </summary>
public interface IFunctionSource
{
    /// <summary>Short name for logs and metrics: <c>openapi</c>, <c>grpc</c>, <c>lambda</c>, …</summary>
    string Name { get; }

    /// <summary>Whether this source is the one for this upstream (by type, annotations, protocol).</summary>
    bool Claims(DiscoveryTarget target);

    /// <summary>Examines the upstream. Never throws for what the upstream answers: that is a <see cref="SourceOutcome.Failed"/> result.</summary>
    Task<SourceResult> DiscoverAsync(DiscoveryTarget target, CancellationToken cancellationToken);
}
