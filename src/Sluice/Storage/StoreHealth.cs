namespace Sluice.Storage;

/// <summary>The store's state as one process sees it.</summary>
/// <param name="Store">What and where, e.g. <c>etcd http://10.0.0.1:2379,…</c>.</param>
/// <param name="Reachable">False while the last attempt to read or watch failed.</param>
/// <param name="Detail">One line: the revision being watched, or why the store cannot be reached.</param>
/// <param name="Since">When <paramref name="Reachable"/> last changed.</param>
public sealed record StoreHealth(string Store, bool Reachable, string Detail, DateTimeOffset Since);
