namespace Sluice.Storage;

/// <summary>The file store's half of <see cref="IDiscoveryStore"/>: records under <c>.sluice/discovery/</c>.</summary>
public sealed partial class FileStore : IDiscoveryStore
{
    public async Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        if (_options.ReadOnly)
        {
            return _discovery.Read(upstream);
        }
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        return _discovery.Read(upstream);
    }

    public async Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfReadOnly();
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        return _discovery.Write(upstream, record);
    }

    public async Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        _discovery.Delete(upstream);
    }

    /// <summary>
    /// The folder's state with what discovery found: records in the snapshot, their artifacts
    /// among its files (a user's file of the same ref wins), and both in the fingerprint so a
    /// watcher sees a discovery write as a change.
    /// </summary>
    private FolderState WithDiscovered(FolderState state)
    {
        var records = _discovery.ReadAll();
        if (records.Count == 0)
        {
            return state with { Fingerprint = Combine(state.Fingerprint) };
        }
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(state.Snapshot.Files, StringComparer.Ordinal);
        foreach (var record in records.Values)
        {
            foreach (var (fileRef, bytes) in record.Files)
            {
                files.TryAdd(fileRef, bytes);
            }
        }
        return state with
        {
            Snapshot = state.Snapshot with { Discovered = records, Files = files },
            Fingerprint = Combine(state.Fingerprint),
        };
    }

    private UInt128 Fingerprint(IReadOnlyList<SourceFile> files) => Combine(ConfigFolder.Fingerprint(files));

    private UInt128 Combine(UInt128 folder)
    {
        var discovery = _discovery.Fingerprint();
        return discovery == EmptyDiscovery ? folder : folder ^ (discovery * 31);
    }

    private static readonly UInt128 EmptyDiscovery = new System.IO.Hashing.XxHash128().GetCurrentHashAsUInt128();
}
