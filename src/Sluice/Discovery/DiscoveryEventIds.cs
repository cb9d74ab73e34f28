namespace Sluice.Discovery;

/// <summary>
/// Log event ids of discovery: the range 100–119, reserved in <c>Gateway/EventIds.cs</c> (discovery
/// is a store client and does not reference the gateway). Next free: 108.
/// </summary>
internal static class DiscoveryEventIds
{
    public const int FunctionsFound = 100;
    public const int NothingFound = 101;
    public const int DiscoveryFailing = 102;
    public const int StoreFailed = 103;
    public const int SourceFailed = 104;
    public const int WatchFailed = 105;
    public const int TermStarted = 106;
    public const int TermEnded = 107;
}
