namespace Sluice.Plugins.Nats;

/// <summary>No connection to any server came up before the operation's deadline.</summary>
internal sealed class NatsNotConnectedException(string message) : Exception(message);
