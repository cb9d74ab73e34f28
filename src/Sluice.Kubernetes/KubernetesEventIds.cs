namespace Sluice.Kubernetes;

/// <summary>
/// Log event ids of the Kubernetes store and its leader election: the range 150–159, reserved in
/// <c>Gateway/EventIds.cs</c> (this project is a store, not part of the gateway). Next free: 159.
/// </summary>
internal static class KubernetesEventIds
{
    public const int WatchFailed = 150;
    public const int Relisting = 151;
    public const int LeadershipAcquired = 152;
    public const int LeadershipLost = 153;
    public const int NoCluster = 154;
    public const int UpstreamDiscovered = 155;
    public const int UpstreamUndiscovered = 156;
    public const int UpstreamNotOwned = 157;
    public const int UpstreamDiscoveryFailed = 158;
}
