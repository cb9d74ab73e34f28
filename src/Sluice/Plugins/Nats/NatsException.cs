namespace Sluice.Plugins.Nats;

/// <summary>The connection failed or the server refused an operation (<c>-ERR</c>).</summary>
internal sealed class NatsException(string message) : Exception(message);
