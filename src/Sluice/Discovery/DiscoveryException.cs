namespace Sluice.Discovery;

/// <summary>A source could not be read; the message says what and why (it becomes the upstream's status).</summary>
public sealed class DiscoveryException(string message) : Exception(message);
