using System.IO.Hashing;

namespace Sluice.Storage;

/// <summary>
/// The file store's discovery records: <c>.sluice/discovery/upstreams/&lt;name&gt;.json</c> per
/// upstream and <c>.sluice/discovery/files/&lt;ref&gt;</c> per artifact (a gRPC descriptor set
/// that <c>protoc --decode</c> can read). Artifacts are written before the record that names
/// them, so a reader never meets a record whose file is missing. Callers hold <see cref="FileStoreLock"/>.
/// </summary>
internal sealed class DiscoveryRecordFiles(string stateDirectory)
{
    private readonly string _records = Path.Combine(stateDirectory, "discovery", "upstreams");
    private readonly string _files = Path.Combine(stateDirectory, "discovery", "files");

    public IReadOnlyDictionary<string, DiscoveryRecord> ReadAll()
    {
        var records = new Dictionary<string, DiscoveryRecord>(StringComparer.Ordinal);
        foreach (var (name, path) in RecordPaths())
        {
            if (Read(name, path) is { } record)
            {
                records[name] = record;
            }
        }
        return records;
    }

    public DiscoveryRecord? Read(string upstream) => Read(upstream, PathOf(upstream));

    public DiscoveryRecord Write(string upstream, DiscoveryRecord record)
    {
        var current = Read(upstream);
        if (record.Version != current?.Version)
        {
            throw new StoreConflictException(
                $"discovery record of upstream '{upstream}': version {record.Version ?? "none"} is stale (current is {current?.Version ?? "none"})");
        }
        var version = long.TryParse(current?.Version, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number + 1 : 1;
        foreach (var (fileRef, bytes) in record.Files)
        {
            AtomicFile.Write(FilePathOf(fileRef), bytes.Span);
        }
        AtomicFile.Write(PathOf(upstream), DiscoveryRecordCodec.Write(upstream, record, version));
        RemoveFilesNoLongerNamed(current, record);
        return record with { Version = version.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    public void Delete(string upstream)
    {
        var current = Read(upstream);
        AtomicFile.TryDelete(PathOf(upstream));
        RemoveFilesNoLongerNamed(current, null);
    }

    /// <summary>Changes whenever a record or artifact does: the watcher compares it with the folder's.</summary>
    public UInt128 Fingerprint()
    {
        var hash = new XxHash128();
        foreach (var (_, path) in RecordPaths().Order())
        {
            hash.Append(System.Text.Encoding.UTF8.GetBytes(path));
            try
            {
                hash.Append(File.ReadAllBytes(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile: the next look sees the new state.
            }
        }
        return hash.GetCurrentHashAsUInt128();
    }

    private void RemoveFilesNoLongerNamed(DiscoveryRecord? old, DiscoveryRecord? current)
    {
        foreach (var fileRef in old?.Files.Keys ?? [])
        {
            if (current is null || !current.Files.ContainsKey(fileRef))
            {
                AtomicFile.TryDelete(FilePathOf(fileRef));
            }
        }
    }

    private IEnumerable<(string Name, string Path)> RecordPaths()
    {
        string[] paths;
        try
        {
            paths = Directory.GetFiles(_records, "*.json");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return paths
            .Where(p => !FileNames.IsIgnored(Path.GetFileName(p)))
            .Select(p => (Uri.UnescapeDataString(Path.GetFileNameWithoutExtension(p)), p));
    }

    private DiscoveryRecord? Read(string upstream, string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return DiscoveryRecordCodec.Read(bytes, $".sluice/discovery/upstreams/{Path.GetFileName(path)}", ReadFile);
    }

    private ReadOnlyMemory<byte>? ReadFile(string fileRef)
    {
        try
        {
            return File.ReadAllBytes(FilePathOf(fileRef));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string PathOf(string upstream) => Path.Combine(_records, FileNames.Escape(upstream) + ".json");

    private string FilePathOf(string fileRef) => Path.Combine(_files, FileNames.Escape(fileRef));
}
