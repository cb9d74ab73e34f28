namespace Sluice.Consul;

/// <summary>What a (blocking) query returned, and the <c>X-Consul-Index</c> to wait on next.</summary>
internal readonly record struct ConsulAnswer<T>(T Value, ulong Index);
