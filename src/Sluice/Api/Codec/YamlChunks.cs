namespace Sluice.Api.Codec;

/// <summary>
/// Cuts a multi-document text at its <c>---</c> and <c>...</c> marker lines so each document is
/// parsed alone: a syntax error then costs only its own document, as the file store promises.
/// This is exact YAML: a marker at column 0 ends any block scalar, and inside quotes or flow
/// collections it is a syntax error anyway.
/// </summary>
internal static class YamlChunks
{
    public static IReadOnlyList<TextChunk> Split(IReadOnlyList<string> lines)
    {
        var chunks = new List<TextChunk>();
        var start = 0;
        var hasContent = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (IsMarker(line, "---"))
            {
                // Directives, comments and empty documents before a marker stay with it.
                if (hasContent)
                {
                    chunks.Add(new TextChunk(start, i - 1));
                    start = i;
                }
                hasContent = IsContent(line[3..]);
            }
            else if (IsMarker(line, "..."))
            {
                chunks.Add(new TextChunk(start, i));
                start = i + 1;
                hasContent = false;
            }
            else if (!line.StartsWith('%') && IsContent(line))
            {
                hasContent = true;
            }
        }
        if (start < lines.Count)
        {
            chunks.Add(new TextChunk(start, lines.Count - 1));
        }
        return chunks;
    }

    public static bool IsMarker(string line, string marker) =>
        line.StartsWith(marker, StringComparison.Ordinal) && (line.Length == 3 || line[3] is ' ' or '\t');

    /// <summary>Neither blank nor a comment.</summary>
    public static bool IsContent(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.Length > 0 && trimmed[0] != '#';
    }
}
