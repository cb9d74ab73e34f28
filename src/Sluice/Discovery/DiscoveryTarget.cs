using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Discovery;

/// <summary>One upstream to examine: the upstream as the user wrote it, the snapshot around it (secrets), and where to reach it.</summary>
/// <param name="BaseAddress">Scheme, host and port of the upstream's first endpoint; null for cloud upstreams (Lambda).</param>
public sealed record DiscoveryTarget(Upstream Upstream, ConfigSnapshot Snapshot, Uri? BaseAddress);
