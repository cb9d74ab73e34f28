namespace Sluice.Consul;

/// <summary>
/// Log event ids of Consul service discovery: the range 160–169 is Consul's (this project is an
/// endpoint source and a store client, not part of the gateway). Next free: 165.
/// </summary>
internal static class ConsulEventIds
{
    public const int QueryFailed = 160;
    public const int QueryRecovered = 161;
    public const int UpstreamDiscovered = 162;
    public const int UpstreamRemoved = 163;
    public const int SyncFailed = 164;
}
