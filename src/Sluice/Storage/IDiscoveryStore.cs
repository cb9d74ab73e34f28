namespace Sluice.Storage;

/// <summary>
/// The part of a store that keeps what function discovery found, one record per upstream, in
/// the store's own records (the file store's <c>.sluice/discovery/</c>, an etcd store's own keys).
/// Records show up in <see cref="ConfigSnapshot.Discovered"/> and their files in
/// <see cref="ConfigSnapshot.Files"/>; writing one counts as a change for watchers.
/// </summary>
public interface IDiscoveryStore
{
    /// <summary>The record for an upstream, with its <see cref="DiscoveryRecord.Version"/>; null when there is none.</summary>
    Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the record. Its <see cref="DiscoveryRecord.Version"/> must be the stored one (null:
    /// none may be stored yet), otherwise <see cref="StoreConflictException"/>. Returns the record
    /// with its new version.
    /// </summary>
    Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken);

    /// <summary>Removes the record and its files (the upstream is gone); no error when there is none.</summary>
    Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken);
}
