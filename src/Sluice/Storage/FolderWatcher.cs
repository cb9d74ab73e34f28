namespace Sluice.Storage;

/// <summary>
/// File-system events of a config folder reduced to "something may have changed", with the
/// debounce that turns a burst into one wake-up. Events are hints only: the caller re-reads and
/// compares, and rescans on a timer, because events get lost (buffer overflow, a folder
/// deleted and recreated leaves the old watch dead, some network file systems send none).
/// </summary>
internal sealed class FolderWatcher(string root) : IDisposable
{
    /// <summary>How often to look for the folder while it does not exist (nothing to watch yet).</summary>
    private static readonly TimeSpan MissingFolderPoll = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Lock _sync = new();
    private FileSystemWatcher? _watcher;
    private volatile bool _structureChanged;

    public bool IsAttached => _watcher is not null;

    /// <summary>
    /// Drops the current watch and starts a new one on the folder as it is now. Called before
    /// the folder is read, so any change after the read is still seen.
    /// </summary>
    public void Attach()
    {
        Detach();
        _structureChanged = false;
        if (!Directory.Exists(root))
        {
            return;
        }
        try
        {
            var watcher = new FileSystemWatcher(root)
            {
                IncludeSubdirectories = true,
                InternalBufferSize = 64 * 1024,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += (_, e) => OnEvent(e.FullPath, null, structural: false);
            watcher.Created += (_, e) => OnEvent(e.FullPath, null, structural: true);
            watcher.Deleted += (_, e) => OnEvent(e.FullPath, null, structural: true);
            watcher.Renamed += (_, e) => OnEvent(e.FullPath, e.OldFullPath, structural: true);
            watcher.Error += (_, _) => OnError();
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // The folder vanished meanwhile, or the OS is out of watches: the timer rescan covers it.
            _watcher = null;
        }
    }

    /// <summary>
    /// Waits for a change: returns true after an event and the quiet time that follows it, false
    /// when <paramref name="rescanInterval"/> passed without one. The quiet time is capped so a
    /// steady trickle of events cannot postpone a snapshot indefinitely.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan rescanInterval, TimeSpan debounce, CancellationToken cancellationToken)
    {
        var timeout = IsAttached ? rescanInterval : Min(rescanInterval, MissingFolderPoll);
        if (!await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        var deadline = DateTime.UtcNow + debounce * 5;
        while (debounce > TimeSpan.Zero && DateTime.UtcNow < deadline
            && await _signal.WaitAsync(debounce, cancellationToken).ConfigureAwait(false))
        {
        }
        return true;
    }

    /// <summary>True when files or folders were created, deleted or renamed since the last <see cref="Attach"/>.</summary>
    public bool StructureChanged => _structureChanged;

    public void Dispose()
    {
        Detach();
        _signal.Dispose();
    }

    private void Detach()
    {
        var watcher = Interlocked.Exchange(ref _watcher, null);
        watcher?.Dispose();
    }

    private void OnEvent(string path, string? oldPath, bool structural)
    {
        if (!IsRelevant(path) && (oldPath is null || !IsRelevant(oldPath)))
        {
            return;
        }
        if (structural)
        {
            _structureChanged = true;
        }
        Signal();
    }

    private void OnError()
    {
        // Typically a buffer overflow: events were dropped, so the watch cannot be trusted.
        _structureChanged = true;
        Signal();
    }

    private void Signal()
    {
        lock (_sync)
        {
            if (_signal.CurrentCount == 0)
            {
                try
                {
                    _signal.Release();
                }
                catch (ObjectDisposedException)
                {
                    // An event raced with Dispose; nobody waits any more.
                }
            }
        }
    }

    /// <summary>Status writes under <c>.sluice/</c>, temp files and editor swap files are noise.</summary>
    private bool IsRelevant(string path)
    {
        var relative = Path.GetRelativePath(root, path);
        if (relative == "." || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return true;
        }
        var segments = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        // The folders that will hold discovery records: another process creates them and writes
        // the record at once, faster than the watch on a new folder is added, so the record's own
        // event can be lost. Their creation is the change then (a re-read finds the record).
        if (segments is [".sluice"] or [".sluice", "discovery"])
        {
            return true;
        }
        // Discovery records are written beside the store's bookkeeping but are configuration.
        var start = segments is [".sluice", "discovery", _, ..] ? 2 : 0;
        foreach (var segment in segments.AsSpan(start))
        {
            if (FileNames.IsIgnored(segment))
            {
                return false;
            }
        }
        return true;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
