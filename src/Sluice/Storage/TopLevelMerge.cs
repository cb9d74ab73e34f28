using System.Text.RegularExpressions;

namespace Sluice.Storage;

/// <summary>
/// Edits one YAML object in place, key by top-level key: a key whose value did not change keeps
/// the user's lines exactly (comments, quoting, flow or block style); a changed key gets the new
/// rendering in its place; a removed key goes; a new key is added at the end. So an update costs
/// the user's formatting only where the object actually changed.
/// </summary>
internal static partial class TopLevelMerge
{
    /// <summary>
    /// The user's document <paramref name="body"/> (no edge comments, see
    /// <see cref="DocumentEditor.Body"/>) changed from <paramref name="oldYaml"/> to
    /// <paramref name="newYaml"/> (both rendered by the codec); null when the body is not a
    /// plain block mapping this can edit (a flow mapping, JSON), so the caller rewrites it whole.
    /// </summary>
    public static string? Merge(string body, string oldYaml, string newYaml)
    {
        var lines = DocumentEditor.SplitLines(body);
        if (Blocks(lines) is not { } user || Blocks(DocumentEditor.SplitLines(oldYaml)) is not { } before || Blocks(DocumentEditor.SplitLines(newYaml)) is not { } after)
        {
            return null;
        }
        var newline = body.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var text = new System.Text.StringBuilder();
        var tail = lines.Count;
        foreach (var block in user.Values.OrderBy(b => b.Start))
        {
            // Comment and blank lines above a key belong to it; they stay even when it changes.
            text.Append(string.Concat(lines.Skip(block.LeadStart).Take(block.Start - block.LeadStart)));
            if (!after.TryGetValue(block.Key, out var rendered))
            {
                continue;
            }
            var unchanged = before.TryGetValue(block.Key, out var old) && Text(old.Lines) == Text(rendered.Lines);
            text.Append(unchanged ? Text(lines.Skip(block.Start).Take(block.End - block.Start + 1)) : Text(rendered.Lines).ReplaceLineEndings(newline));
        }
        // Trailing comments after the last key's content.
        if (user.Count > 0)
        {
            var last = user.Values.Max(b => b.End);
            text.Append(string.Concat(lines.Skip(last + 1).Take(tail - last - 1)));
        }
        foreach (var rendered in after.Values.OrderBy(b => b.Start))
        {
            if (!user.ContainsKey(rendered.Key))
            {
                if (text.Length > 0 && text[^1] != '\n')
                {
                    text.Append(newline);
                }
                text.Append(Text(rendered.Lines).ReplaceLineEndings(newline));
            }
        }
        return text.ToString();
    }

    private static string Text(IEnumerable<string> lines) => string.Concat(lines);

    private sealed record Block(string Key, int LeadStart, int Start, int End, IReadOnlyList<string> Lines);

    /// <summary>
    /// Top-level keys in order, each with its lines: from the key line to its last content line.
    /// Null when a line at column 0 is neither a key, a comment nor blank.
    /// </summary>
    private static Dictionary<string, Block>? Blocks(List<string> lines)
    {
        var blocks = new Dictionary<string, Block>(StringComparer.Ordinal);
        string? key = null;
        int leadStart = 0, start = 0, end = -1;
        var lead = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (DocumentEditor.IsBlankOrComment(line))
            {
                continue;
            }
            if (char.IsWhiteSpace(line[0]) || line.StartsWith('-') && key is not null)
            {
                // Indented content (or a block sequence at column 0) continues the current key.
                if (key is null)
                {
                    return null;
                }
                end = i;
                continue;
            }
            var match = KeyLine().Match(line);
            if (!match.Success || blocks.ContainsKey(match.Groups[1].Value))
            {
                return null;
            }
            if (key is not null)
            {
                blocks[key] = new Block(key, leadStart, start, end, lines.GetRange(start, end - start + 1));
                lead = end + 1;
            }
            key = match.Groups[1].Value;
            leadStart = lead;
            start = end = i;
        }
        if (key is not null)
        {
            blocks[key] = new Block(key, leadStart, start, end, lines.GetRange(start, end - start + 1));
        }
        return blocks;
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]|\r?$)")]
    private static partial Regex KeyLine();
}
