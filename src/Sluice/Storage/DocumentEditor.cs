namespace Sluice.Storage;

/// <summary>
/// Line-level edits of one document in a multi-document YAML file. Everything outside the
/// edited lines is kept as it was, byte for byte: the other documents, their comments, the
/// separators and the file's line endings.
/// </summary>
internal static class DocumentEditor
{
    /// <summary>
    /// Replaces the document on lines <paramref name="startLine"/>..<paramref name="endLine"/>
    /// (1-based) with <paramref name="replacement"/>. Comment and blank lines at either edge of the
    /// range stay: they often describe the document or head the next one.
    /// </summary>
    public static string Replace(string text, int startLine, int endLine, string replacement)
    {
        var lines = SplitLines(text);
        var (start, end) = Replaced(lines, startLine, endLine);
        var newline = NewlineOf(text);
        var body = replacement.ReplaceLineEndings(newline);
        if (!body.EndsWith(newline, StringComparison.Ordinal))
        {
            body += newline;
        }
        // The last line of a file without a final newline: keep it without one.
        var lastOfFile = end >= start && end == lines.Count - 1 && !HasNewline(lines[end]);
        if (lastOfFile)
        {
            body = body[..^newline.Length];
        }
        else if (start > 0 && start == lines.Count && !HasNewline(lines[start - 1]))
        {
            lines[start - 1] += newline;
        }
        var count = Math.Max(0, end - start + 1);
        lines.RemoveRange(start, count);
        lines.Insert(start, body);
        return string.Concat(lines);
    }

    /// <summary>The lines <see cref="Replace"/> would replace, as one text.</summary>
    public static string Body(string text, int startLine, int endLine)
    {
        var lines = SplitLines(text);
        var (start, end) = Replaced(lines, startLine, endLine);
        return string.Concat(lines.Skip(start).Take(Math.Max(0, end - start + 1)));
    }

    /// <summary>The document's content without its edge comment and blank lines (those stay).</summary>
    private static (int Start, int End) Replaced(List<string> lines, int startLine, int endLine)
    {
        var (start, end) = Content(lines, startLine, endLine);
        while (start <= end && IsBlankOrComment(lines[start]))
        {
            start++;
        }
        while (end >= start && IsBlankOrComment(lines[end]))
        {
            end--;
        }
        return (start, end);
    }

    /// <summary>
    /// Removes the document on lines <paramref name="startLine"/>..<paramref name="endLine"/> with
    /// one of its separators, so no empty document is left behind. The comment lines inside its
    /// section (between the separators) go with it; a header above the first document stays.
    /// </summary>
    public static string Remove(string text, int startLine, int endLine)
    {
        var lines = SplitLines(text);
        var (start, end) = Content(lines, startLine, endLine);
        while (end + 1 < lines.Count && !IsSeparator(lines[end + 1]) && IsBlankOrComment(lines[end + 1]))
        {
            end++;
        }
        var separator = start - 1;
        while (separator >= 0 && !IsSeparator(lines[separator]) && IsBlankOrComment(lines[separator]))
        {
            separator--;
        }
        if (separator >= 0 && IsSeparator(lines[separator]))
        {
            lines.RemoveRange(separator, end - separator + 1);
        }
        else
        {
            lines.RemoveRange(start, Math.Max(0, end - start + 1));
            if (start < lines.Count && IsSeparator(lines[start]))
            {
                lines.RemoveAt(start);
            }
        }
        return string.Concat(lines);
    }

    /// <summary>The 0-based range without separator lines a parser may count into the document.</summary>
    private static (int Start, int End) Content(List<string> lines, int startLine, int endLine)
    {
        var start = Math.Clamp(startLine - 1, 0, lines.Count);
        var end = Math.Clamp(endLine - 1, start - 1, lines.Count - 1);
        while (start <= end && IsSeparator(lines[start]))
        {
            start++;
        }
        while (end >= start && IsSeparator(lines[end]))
        {
            end--;
        }
        return (start, end);
    }

    /// <summary>Lines with their own line endings, so joining them gives back the text exactly.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var begin = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[begin..(i + 1)]);
                begin = i + 1;
            }
        }
        if (begin < text.Length)
        {
            lines.Add(text[begin..]);
        }
        return lines;
    }

    public static bool IsSeparator(string line)
    {
        var trimmed = line.TrimEnd();
        return trimmed.StartsWith("---", StringComparison.Ordinal) && (trimmed.Length == 3 || char.IsWhiteSpace(trimmed[3]));
    }

    public static bool IsBlankOrComment(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length == 0 || trimmed.StartsWith('#');
    }

    private static bool HasNewline(string line) => line.EndsWith('\n');

    private static string NewlineOf(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
}
