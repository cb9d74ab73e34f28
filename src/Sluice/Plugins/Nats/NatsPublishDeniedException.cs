namespace Sluice.Plugins.Nats;

/// <summary>The server refused the publish: the connection's user may not publish to the subject.</summary>
internal sealed class NatsPublishDeniedException(string subject) : Exception($"Permissions Violation for Publish to \"{subject}\"");
