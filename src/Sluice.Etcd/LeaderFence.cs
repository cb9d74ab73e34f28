namespace Sluice.Etcd;

/// <summary>The leader key as this process created it: writes are valid while that key is still the one.</summary>
internal sealed record LeaderFence(long CreateRevision);
