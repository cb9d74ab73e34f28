namespace Sluice.Plugins.Nats;

/// <summary>
/// A reply to a request: the status from its header line (<c>NATS/1.0 503</c> = no responders),
/// 0 when it had none, and its payload.
/// </summary>
internal readonly record struct NatsReply(int Status, byte[] Payload);
