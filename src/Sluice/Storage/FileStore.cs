using System.Globalization;
using System.Runtime.CompilerServices;
using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// The embedded default store: a folder of YAML files that users edit by hand and the CLI edits
/// through this class, possibly both at once and from several processes.
/// </summary>
/// <remarks>
/// <para>Layout (API.md "File store layout"): <c>upstreams/*.y(a)ml</c>, <c>virtualservices/*.y(a)ml</c>,
/// <c>secrets/&lt;ref&gt;</c>, <c>files/&lt;ref&gt;</c>. Hidden files and editor droppings are skipped.</para>
/// <para>What the store owns lives beside the user's files, never in them, so a user's comments
/// and formatting are never rewritten to record a version or a verdict:</para>
/// <code>
/// .sluice/lock                           cross-process lock (see FileStoreLock)
/// .sluice/objects/upstreams/&lt;name&gt;.json    {name, resource_version, hash, source, status}
/// .sluice/objects/virtualservices/&lt;name&gt;.json
/// </code>
/// <para><c>hash</c> is the hash of the object's content without version and status; whoever
/// reads the folder under the lock and finds a different hash (a user's edit, a CLI update)
/// bumps <c>resource_version</c> and resets the status to pending. <c>source</c> is the file the
/// object was last read from, which names the objects of a file that stops parsing. Records of
/// objects gone from every file are removed.</para>
/// <para>Every read of the folder and every write happens under <c>.sluice/lock</c>; every file
/// is written to a hidden temporary file and renamed into place, so readers never see half of one.</para>
/// </remarks>
public sealed partial class FileStore : IConfigStore
{
    private static readonly System.Text.Json.JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly ConfigFolder _folder;
    private readonly string _stateDirectory;
    private readonly ObjectRecordStore _records;
    private readonly DiscoveryRecordFiles _discovery;
    private readonly FileStoreOptions _options;
    private readonly ParsedFileCache _parsed = new();
    // The file lock excludes other processes; this excludes other callers in this one without
    // making them spin on the file.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public FileStore(string configDir, FileStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configDir);
        _folder = new ConfigFolder(Path.GetFullPath(configDir));
        _stateDirectory = Path.Combine(_folder.Root, ".sluice");
        _records = new ObjectRecordStore(_stateDirectory);
        _discovery = new DiscoveryRecordFiles(_stateDirectory);
        _options = options ?? FileStoreOptions.Default;
    }

    public string ConfigDirectory => _folder.Root;

    public async Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken) =>
        WithBaseDirectory((await ReadStateAsync(cancellationToken).ConfigureAwait(false)).Snapshot);

    public async IAsyncEnumerable<ConfigSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var watcher = new FolderWatcher(_folder.Root);
        // Watch first, then read: a change made while reading is then seen as an event.
        watcher.Attach();
        var state = await ReadStateAsync(cancellationToken).ConfigureAwait(false);
        var fingerprint = state.Fingerprint;
        yield return WithBaseDirectory(state.Snapshot);

        while (true)
        {
            var next = await NextChangeAsync(watcher, fingerprint, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                yield break;
            }
            fingerprint = next.Fingerprint;
            yield return WithBaseDirectory(next.Snapshot);
        }
    }

    /// <summary>Paths the config names (<c>ssl_files</c>) are relative to the config folder.</summary>
    private ConfigSnapshot WithBaseDirectory(ConfigSnapshot snapshot) => snapshot with { BaseDirectory = _folder.Root };

    public async Task<IConfigObject> CreateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ThrowIfReadOnly();
        Directory.CreateDirectory(_folder.Root);
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        var state = ReadAndReconcile(writable: true);
        var key = new ObjectKey(obj.Kind, obj.Name);
        if (Location(state, key) is { } location)
        {
            throw new StoreConflictException($"{obj.Kind.DisplayName()} '{obj.Name}' already exists (in {location})");
        }
        var (path, relative) = NewFilePath(key);
        var (yaml, written) = Render(obj, relative);
        AtomicFile.Write(path, SourceText.Encode(yaml, byteOrderMark: false));
        return Record(key, state.Records.GetValueOrDefault(key), written, relative);
    }

    public async Task<IConfigObject> UpdateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ThrowIfReadOnly();
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        var state = ReadAndReconcile(writable: true);
        var key = new ObjectKey(obj.Kind, obj.Name);
        var definition = Find(state, key, "updated");
        var current = state.Records.GetValueOrDefault(key);
        var requested = obj.Metadata.ResourceVersion;
        var currentVersion = current?.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(requested) && requested != currentVersion)
        {
            throw new StoreConflictException(
                $"{key.Kind.DisplayName()} '{key.Name}': resource version {requested} is stale (current is {currentVersion ?? "none"})");
        }

        var relative = definition.File.RelativePath;
        var (yaml, written) = Render(obj, relative);
        SourceText.Decode(definition.File.Bytes, out var byteOrderMark);
        var document = definition.Document;
        // In place, key by key, where the user's document allows it; whole otherwise.
        var stored = state.Snapshot.Upstreams.Cast<IConfigObject>().Concat(state.Snapshot.VirtualServices).FirstOrDefault(o => o.Kind == key.Kind && o.Name == key.Name);
        var merged = stored is null ? null
            : TopLevelMerge.Merge(DocumentEditor.Body(definition.Text, document.StartLine, document.EndLine), ConfigCodec.ToYaml(StoredObjects.Strip(stored)), yaml);
        var text = DocumentEditor.Replace(definition.Text, document.StartLine, document.EndLine, merged ?? yaml);
        var reread = Verify(text, definition, expectRemoved: false);
        if (merged is not null && (reread is null || StoredObjects.ContentHash(reread) != StoredObjects.ContentHash(written)))
        {
            // The merge read back as something else (a key the codec spells differently): be exact.
            text = DocumentEditor.Replace(definition.Text, document.StartLine, document.EndLine, yaml);
            reread = Verify(text, definition, expectRemoved: false);
        }
        AtomicFile.Write(Path.Combine(_folder.Root, relative), SourceText.Encode(text, byteOrderMark));
        return Record(key, current, reread ?? written, relative);
    }

    public async Task DeleteAsync(ConfigKind kind, string name, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        var state = ReadAndReconcile(writable: true);
        var key = new ObjectKey(kind, name);
        var definition = Find(state, key, "deleted");
        var path = Path.Combine(_folder.Root, definition.File.RelativePath);
        if (definition.DocumentCount == 1)
        {
            File.Delete(path);
        }
        else
        {
            var document = definition.Document;
            var text = DocumentEditor.Remove(definition.Text, document.StartLine, document.EndLine);
            Verify(text, definition, expectRemoved: true);
            SourceText.Decode(definition.File.Bytes, out var byteOrderMark);
            AtomicFile.Write(path, SourceText.Encode(text, byteOrderMark));
        }
        _records.Delete(kind, name);
    }

    public async Task WriteStatusAsync(ConfigKind kind, string name, string? resourceVersion, Status status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        ThrowIfReadOnly();
        using var session = await LockAsync(cancellationToken).ConfigureAwait(false);
        // The record alone, not the folder: the reporter writes one status per object after
        // each translation, and reading every file each time would make that quadratic.
        var record = _records.Read(kind, name);
        if (record is null)
        {
            // Never read since it was written by hand: reading the folder creates its record.
            record = ReadAndReconcile(writable: true).Records.GetValueOrDefault(new ObjectKey(kind, name))
                ?? throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
        }
        var currentVersion = record.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (resourceVersion is not null && resourceVersion != currentVersion)
        {
            // Judged before an update that landed meanwhile: that update reset the status to
            // pending, and this verdict is not about the content now in the file.
            throw new StoreConflictException(
                $"{kind.DisplayName()} '{name}': the status judged resource version {resourceVersion}, but the current one is {currentVersion}");
        }
        if (record.Status != status)
        {
            _records.Write(kind, name, record with { Status = status });
        }
    }

    /// <summary>Waits for the next change of content; null when cancelled.</summary>
    private async Task<FolderState?> NextChangeAsync(FolderWatcher watcher, UInt128 fingerprint, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var signalled = await watcher.WaitAsync(_options.RescanInterval, _options.Debounce, cancellationToken).ConfigureAwait(false);
                if (!watcher.IsAttached || watcher.StructureChanged)
                {
                    // Folders may have been replaced: watch what is there now, before reading it.
                    watcher.Attach();
                }
                if (Fingerprint(_folder.ReadAll()) == fingerprint)
                {
                    continue;
                }
                if (!signalled)
                {
                    // A change no event announced: the watch is dead or lossy; start a fresh one.
                    watcher.Attach();
                }
                FolderState state;
                try
                {
                    state = await ReadStateAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or TimeoutException)
                {
                    // Busy lock or a folder in mid-replacement: the next rescan tries again.
                    continue;
                }
                if (state.Fingerprint != fingerprint)
                {
                    return state;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<FolderState> ReadStateAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_folder.Root))
        {
            // Reading must not create the folder (nor .sluice in it).
            return FolderState.Empty;
        }
        if (_options.ReadOnly)
        {
            // No lock: a writer's files appear whole (renamed into place), so a read without it
            // sees each file either before or after an edit, never half of one.
            return ReadAndReconcile(writable: false);
        }
        Session session;
        try
        {
            session = await LockAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            return FolderState.Empty;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            // A read-only folder (a mounted ConfigMap, a read-only volume): serve it; versions
            // and statuses are whatever a writer recorded, if anyone did.
            return ReadAndReconcile(writable: false);
        }
        using (session)
        {
            return ReadAndReconcile(writable: true);
        }
    }

    private FolderState ReadAndReconcile(bool writable)
    {
        var files = _folder.ReadAll();
        var records = new Dictionary<ObjectKey, ObjectRecord>();
        foreach (var kind in ConfigKinds.All)
        {
            foreach (var (name, record) in _records.ReadAll(kind))
            {
                records[new ObjectKey(kind, name)] = record;
            }
        }
        var state = FolderReader.Read(files, records, _parsed);
        _parsed.Retain(files.Select(f => f.RelativePath));
        if (writable)
        {
            foreach (var (key, record) in state.RecordChanges)
            {
                if (record is null)
                {
                    _records.Delete(key.Kind, key.Name);
                }
                else
                {
                    _records.Write(key.Kind, key.Name, record);
                }
            }
        }
        return WithDiscovered(state);
    }

    private async Task<Session> LockAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fileLock = await FileStoreLock.AcquireAsync(_folder.Root, _stateDirectory, _options.LockTimeout, cancellationToken).ConfigureAwait(false);
            return new Session(fileLock, _gate);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private void ThrowIfReadOnly()
    {
        if (_options.ReadOnly)
        {
            throw new InvalidOperationException($"the file store on {_folder.Root} was opened read-only");
        }
    }

    private static string? Location(FolderState state, ObjectKey key) =>
        state.Definitions.TryGetValue(key, out var definition) ? definition.File.RelativePath
        : state.Unreadable.GetValueOrDefault(key);

    private static ObjectDefinition Find(FolderState state, ObjectKey key, string verb)
    {
        if (state.Definitions.TryGetValue(key, out var definition))
        {
            return definition;
        }
        if (state.Unreadable.TryGetValue(key, out var source))
        {
            throw new StoreConflictException(
                $"{key.Kind.DisplayName()} '{key.Name}' cannot be {verb}: its file {source} does not parse; fix it first");
        }
        throw new StoreNotFoundException($"{key.Kind.DisplayName()} '{key.Name}' does not exist");
    }

    /// <summary>The YAML written for an object, and that YAML read back (what a later load sees).</summary>
    private static (string Yaml, IConfigObject Written) Render(IConfigObject obj, string source)
    {
        // A JSON file stays JSON (it holds one object, so the whole file is that object).
        var yaml = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ConfigCodec.ToJson(StoredObjects.Strip(obj)).ToJsonString(IndentedJson) + "\n"
            : ConfigCodec.ToYaml(StoredObjects.Strip(obj));
        var documents = ConfigCodec.ReadDocuments(yaml, obj.Kind, source);
        if (documents is not [{ Object: { } written, Error: null }] || written.Name != obj.Name)
        {
            throw new ConfigException(documents.FirstOrDefault(d => d.Error is not null)?.Error
                ?? new ConfigError("does not read back as one object") { Kind = obj.Kind, ObjectName = obj.Name });
        }
        return (yaml, written);
    }

    /// <summary>
    /// Re-reads an edited file before it is written: the edit must have touched exactly one
    /// document, so a surprise in the line arithmetic can never damage a user's other objects.
    /// Returns the edited object as read back from the whole file.
    /// </summary>
    private static IConfigObject? Verify(string text, ObjectDefinition definition, bool expectRemoved)
    {
        var before = ConfigCodec.ReadDocuments(definition.Text, definition.Key.Kind, definition.File.RelativePath);
        var after = ConfigCodec.ReadDocuments(text, definition.Key.Kind, definition.File.RelativePath);
        static string? NameOf(DecodedDocument d) => d.Name ?? d.Object?.Name;
        var expected = before.Select(NameOf).Where(n => !expectRemoved || n != definition.Key.Name).ToList();
        var edited = after.FirstOrDefault(d => NameOf(d) == definition.Key.Name);
        if (!expected.SequenceEqual(after.Select(NameOf)) || (!expectRemoved && edited?.Object is null))
        {
            throw new InvalidOperationException(
                $"refusing to rewrite {definition.File.RelativePath}: the edit of {definition.Key.Kind.DisplayName()} '{definition.Key.Name}' would change other documents");
        }
        return edited?.Object;
    }

    /// <summary>Bumps and writes the record for content just written; returns the object as a load will show it.</summary>
    private IConfigObject Record(ObjectKey key, ObjectRecord? current, IConfigObject written, string source)
    {
        var record = FolderReader.Next(current, StoredObjects.ContentHash(written), source);
        if (!ReferenceEquals(record, current))
        {
            _records.Write(key.Kind, key.Name, record);
        }
        return StoredObjects.WithState(written, record.ResourceVersion, record.Status);
    }

    private (string Path, string Relative) NewFilePath(ObjectKey key)
    {
        var folder = key.Kind.Plural();
        var stem = FileNames.Escape(key.Name);
        for (var attempt = 1; ; attempt++)
        {
            var fileName = attempt == 1 ? $"{stem}.yaml" : $"{stem}-{attempt}.yaml";
            var path = Path.Combine(_folder.Root, folder, fileName);
            // A file of that name holding other objects (or garbage) is the user's: never overwrite it.
            if (!File.Exists(path))
            {
                return (path, folder + "/" + fileName);
            }
        }
    }

    /// <summary>Both locks, released together.</summary>
    private sealed class Session(FileStoreLock fileLock, SemaphoreSlim gate) : IDisposable
    {
        public void Dispose()
        {
            fileLock.Dispose();
            gate.Release();
        }
    }
}
