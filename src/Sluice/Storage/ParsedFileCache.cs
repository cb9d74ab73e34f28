using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// What each config file decoded to at its last read, kept while its bytes stay identical: a
/// change to one file of a large folder then re-decodes (and re-hashes the objects of) that file
/// only. Decoding is a pure function of the bytes, so reuse is exact.
/// </summary>
internal sealed class ParsedFileCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ParsedFile> _files = new(StringComparer.Ordinal);

    public ParsedFile Get(SourceFile file, ConfigKind kind)
    {
        lock (_lock)
        {
            if (_files.TryGetValue(file.RelativePath, out var cached) && cached.Kind == kind && cached.Bytes.AsSpan().SequenceEqual(file.Bytes))
            {
                return cached;
            }
        }
        var text = SourceText.Decode(file.Bytes);
        var parsed = new ParsedFile(kind, file.Bytes, text, ConfigCodec.ReadDocuments(text, kind, file.RelativePath));
        lock (_lock)
        {
            _files[file.RelativePath] = parsed;
        }
        return parsed;
    }

    /// <summary>Forgets files that are no longer in the folder.</summary>
    public void Retain(IEnumerable<string> paths)
    {
        var live = paths.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var gone in _files.Keys.Where(p => !live.Contains(p)).ToList())
            {
                _files.Remove(gone);
            }
        }
    }
}
