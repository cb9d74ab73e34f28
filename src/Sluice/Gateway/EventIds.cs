namespace Sluice.Gateway;

/// <summary>Every log event id in one place, so ids stay unique and stable. Next free: 11.</summary>
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
}
