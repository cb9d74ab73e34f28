namespace Sluice.Plugins.Nats;

/// <summary>One NATS server to try; <see cref="Tls"/> when written as <c>tls://host:port</c>.</summary>
internal sealed record NatsServerAddress(string Host, int Port, bool Tls);
