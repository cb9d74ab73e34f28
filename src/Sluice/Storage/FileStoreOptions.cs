namespace Sluice.Storage;

/// <summary>Timing knobs of <see cref="FileStore"/>; the defaults suit a gateway that serves every change within 1 s.</summary>
public sealed record FileStoreOptions
{
    public static readonly FileStoreOptions Default = new();

    /// <summary>
    /// How often the folder is read in full even without a file-system event. File-system events
    /// can be lost (buffer overflow, network mounts, a folder deleted and recreated), so this is the
    /// safety net that bounds how long a missed change can go unnoticed.
    /// </summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Quiet time awaited after an event before reading, so an editor's save (truncate, write,
    /// rename) or a <c>cp -r</c> becomes one snapshot rather than several.
    /// </summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long to wait for another process (a CLI, a second gateway) to release <c>.sluice/lock</c>.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reading never writes: no <c>.sluice/</c> is created, no lock is taken, and no record is
    /// bumped (<c>sluice validate</c>, <c>sluice get</c>). Versions and statuses are whatever a
    /// writer last recorded; an edited object shows that record until a writer reads the folder.
    /// Create, update, delete and status writes throw <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool ReadOnly { get; init; }
}
