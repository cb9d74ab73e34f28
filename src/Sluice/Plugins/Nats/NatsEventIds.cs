namespace Sluice.Plugins.Nats;

/// <summary>
/// Log event ids of the NATS plugin: 19–20, reserved in <c>Gateway/EventIds.cs</c> (a plugin
/// does not reference the gateway).
/// </summary>
internal static class NatsEventIds
{
    public const int ConnectFailed = 19;
    public const int ConnectStillFailing = 20;
}
