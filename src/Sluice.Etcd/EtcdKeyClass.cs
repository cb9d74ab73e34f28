namespace Sluice.Etcd;

/// <summary>What a key under the prefix holds (see <see cref="EtcdKeys"/>).</summary>
internal enum EtcdKeyClass
{
    /// <summary>Something Sluice does not read (another record kind, a leader key): ignored.</summary>
    Other,
    Object,
    Status,
    Secret,
    File,

    /// <summary>What function discovery found for one upstream (a <c>DiscoveryRecordCodec</c> value).</summary>
    Discovered,

    /// <summary>An artifact a discovered record names (a gRPC descriptor set), by file ref.</summary>
    DiscoveredFile,
}
