namespace Sluice.Etcd;

/// <summary>
/// Log event ids of the etcd store and its leader election: the range 140–149, reserved in
/// <c>Gateway/EventIds.cs</c> (this project is a store, not part of the gateway). Next free: 145.
/// </summary>
internal static class EtcdEventIds
{
    public const int StoreUnreachable = 140;
    public const int StoreReconnected = 141;
    public const int StoreRelisted = 142;
    public const int LeadershipAcquired = 143;
    public const int LeadershipLost = 144;
}
