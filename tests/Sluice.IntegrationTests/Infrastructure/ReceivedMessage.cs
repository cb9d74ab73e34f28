namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>A message as received: subject, header block text, payload bytes, reply subject.</summary>
internal sealed record ReceivedMessage(string Subject, string Headers, byte[] Payload, string? ReplyTo);
