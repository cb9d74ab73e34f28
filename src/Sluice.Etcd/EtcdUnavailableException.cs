namespace Sluice.Etcd;

/// <summary>etcd did not answer (every endpoint down, a deadline passed); the message names the endpoints.</summary>
public sealed class EtcdUnavailableException(string message, Exception inner) : IOException(message, inner);
