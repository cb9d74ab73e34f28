namespace Sluice.Storage;

/// <summary>
/// Implemented by stores reached over the network (etcd): whether the store answers right now,
/// for <c>/readyz</c> detail and metrics. A gateway whose store is unreachable keeps serving its
/// last plan; this is how it says so.
/// </summary>
public interface IStoreHealth
{
    StoreHealth Health { get; }
}
