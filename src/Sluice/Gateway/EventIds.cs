namespace Sluice.Gateway;

/// <summary>
/// Every log event id in one place, so ids stay unique and stable. Next free: 21.
/// 19–20 belong to NATS (<c>Plugins/Nats/NatsEventIds.cs</c>): plugins do not reference the gateway.
/// 100–119 belong to discovery (<c>Discovery/DiscoveryEventIds.cs</c>: a store client that does not reference the gateway).
/// </summary>
internal static class EventIds
{
    public const int PlanApplied = 1;
    public const int ObjectRejected = 2;
    public const int FileRejected = 3;
    public const int TranslationFailed = 4;
    public const int WatchFailed = 5;
    public const int StatusWriteFailed = 6;
    public const int GatewayError = 7;
    public const int EndpointHealthChanged = 8;
    public const int AdminExposed = 10;
    public const int StoreUnreachable = 11;
    public const int StoreReconnected = 12;
    public const int StoreRelisted = 13;
    public const int LeadershipAcquired = 14;
    public const int LeadershipLost = 15;
    public const int StoreWaiting = 16;
    public const int Draining = 17;
    public const int FileSkipped = 18;
}
