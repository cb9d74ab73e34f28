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
}
