namespace Sluice.Storage;

/// <summary>
/// A config folder read and reconciled with its records at one moment: the snapshot handed
/// out, and what the CLI operations need to find and edit an object's document.
/// </summary>
internal sealed record FolderState
{
    public static readonly FolderState Empty = new()
    {
        Snapshot = ConfigSnapshot.Empty,
        Fingerprint = ConfigFolder.Fingerprint([]),
        Definitions = new Dictionary<ObjectKey, ObjectDefinition>(),
        Unreadable = new Dictionary<ObjectKey, string>(),
        Records = new Dictionary<ObjectKey, ObjectRecord>(),
        RecordChanges = [],
    };

    public required ConfigSnapshot Snapshot { get; init; }

    /// <summary>Fingerprint of the files the snapshot was built from (see <see cref="ConfigFolder.Fingerprint"/>).</summary>
    public required UInt128 Fingerprint { get; init; }

    /// <summary>First document carrying each name, readable or not.</summary>
    public required IReadOnlyDictionary<ObjectKey, ObjectDefinition> Definitions { get; init; }

    /// <summary>Objects known only from their file's last good read, that file no longer parsing: name → file.</summary>
    public required IReadOnlyDictionary<ObjectKey, string> Unreadable { get; init; }

    /// <summary>Records after reconciliation (what <see cref="RecordChanges"/> makes true on disk).</summary>
    public required IReadOnlyDictionary<ObjectKey, ObjectRecord> Records { get; init; }

    /// <summary>Records to write (or, when null, to delete) so that <c>.sluice/</c> matches the files.</summary>
    public required IReadOnlyList<KeyValuePair<ObjectKey, ObjectRecord?>> RecordChanges { get; init; }
}
