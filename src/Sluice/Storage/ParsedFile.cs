using Sluice.Api;

namespace Sluice.Storage;

/// <summary>One file's decoded documents, and each document's content hash once asked for.</summary>
internal sealed class ParsedFile(ConfigKind kind, byte[] bytes, string text, IReadOnlyList<DecodedDocument> documents)
{
    private readonly string?[] _hashes = new string?[documents.Count];

    public ConfigKind Kind { get; } = kind;

    public byte[] Bytes { get; } = bytes;

    public string Text { get; } = text;

    public IReadOnlyList<DecodedDocument> Documents { get; } = documents;

    /// <summary>The object's content hash (ignoring version and status), computed once per file version.</summary>
    public string ContentHash(int document, IConfigObject obj) =>
        _hashes[document] ??= StoredObjects.ContentHash(obj);
}
