using System.Text.RegularExpressions;

namespace Sluice.Api.Codec;

/// <summary>
/// Finds where a field named by its dotted path (<c>routes[2].request_matcher.path_regex</c>) is
/// written in a document, so an error found after decoding (by the translator) still points at
/// the user's line. A path that goes deeper than the document does stops at the deepest node.
/// </summary>
internal static partial class FieldLocator
{
    public static (int Line, int Column)? Locate(string text, string source, int documentStartLine, string fieldPath)
    {
        var document = YamlLoader.Load(text, source).FirstOrDefault(d => d.StartLine == documentStartLine);
        if (document?.Root is not { } node)
        {
            return null;
        }
        foreach (Match step in Step().Matches(fieldPath))
        {
            Node? next = null;
            if (step.Groups["name"].Success && node is MappingNode mapping)
            {
                var entry = mapping.Entries.FirstOrDefault(e => e.Key.Value == step.Groups["name"].Value);
                next = entry.Key is null ? null : entry.Value is ScalarNode ? entry.Key : entry.Value;
                if (next is not null && step.Groups["index"].Success)
                {
                    next = entry.Value is SequenceNode sequence && int.TryParse(step.Groups["index"].Value, out var index) && index < sequence.Items.Count
                        ? sequence.Items[index]
                        : entry.Key;
                }
            }
            if (next is null)
            {
                break;
            }
            node = next;
        }
        return (node.Line, node.Column);
    }

    [GeneratedRegex(@"(?<name>[A-Za-z0-9_-]+)(\[(?<index>\d+)\])?")]
    private static partial Regex Step();
}
