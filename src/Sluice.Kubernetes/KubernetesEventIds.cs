namespace Sluice.Kubernetes;

/// <summary>
/// Log event ids of the Kubernetes store and its leader election: the range 150–159, reserved in
/// <c>Gateway/EventIds.cs</c> (this project is a store, not part of the gateway). Next free: 155.
/// </summary>
internal static class KubernetesEventIds
{
    public const int WatchFailed = 150;
    public const int Relisting = 151;
    public const int LeadershipAcquired = 152;
    public const int LeadershipLost = 153;
    public const int NoCluster = 154;
}
