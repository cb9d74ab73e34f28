namespace Sluice.Consul;

/// <summary>Consul answered, but not with what was asked (an error status, a missing index, bad JSON).</summary>
internal sealed class ConsulException(string message) : Exception(message);
