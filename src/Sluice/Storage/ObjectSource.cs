using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// Where an object is written, for stores that have files: the file, its document's first line
/// and the text, so a problem found later (by the translator) can name the line of its field.
/// </summary>
public sealed class ObjectSource(string file, int line, string text)
{
    public string File { get; } = file;

    public int Line { get; } = line;

    /// <summary>"file:line:column" of <paramref name="fieldPath"/> (or of the document when it is not found).</summary>
    public string Locate(string? fieldPath) =>
        fieldPath is not null && ConfigCodec.LocateField(text, File, Line, fieldPath) is { } at ? $"{File}:{at.Line}:{at.Column}" : $"{File}:{Line}";
}
