using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// Where configuration lives (a folder, etcd, Kubernetes). The gateway lists and watches it;
/// the CLI and discovery create, update and delete through it; the reporter writes statuses.
/// </summary>
public interface IConfigStore
{
    /// <summary>Reads everything now.</summary>
    Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Yields the current snapshot at once, then a new one after every change (coalesced).
    /// Status writes do not count as changes.
    /// </summary>
    IAsyncEnumerable<ConfigSnapshot> WatchAsync(CancellationToken cancellationToken);

    /// <summary>Adds a new object; <see cref="StoreConflictException"/> if the name is taken.</summary>
    Task<IConfigObject> CreateAsync(IConfigObject obj, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces an object by name. When <c>metadata.resource_version</c> is set it must be the
    /// stored one (<see cref="StoreConflictException"/> otherwise); when it is empty the update is
    /// unconditional. Returns the object with its new resource version.
    /// </summary>
    Task<IConfigObject> UpdateAsync(IConfigObject obj, CancellationToken cancellationToken);

    /// <summary>Removes an object; <see cref="StoreNotFoundException"/> if there is none.</summary>
    Task DeleteAsync(ConfigKind kind, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Records a verdict beside the object (never inside a user's file or an object's key). The
    /// write is a compare-and-swap on <paramref name="resourceVersion"/>, the version the verdict
    /// judged: when the object has changed since, <see cref="StoreConflictException"/>, so a
    /// verdict on version N never lands on version N+1. Null means the object did not load (its
    /// value does not parse) and the verdict is about whatever the store holds now.
    /// <see cref="StoreNotFoundException"/> when the object is gone.
    /// </summary>
    Task WriteStatusAsync(ConfigKind kind, string name, string? resourceVersion, Status status, CancellationToken cancellationToken);
}
