namespace Sluice.Api.Codec;

/// <summary>
/// One node of a parsed YAML document. Sluice keeps its own small tree rather than YamlDotNet's
/// representation model because it needs the last line of every node (to give documents and
/// <c>configure</c> items exact line ranges) and absolute line numbers for split documents.
/// </summary>
internal abstract class Node(int line, int column, int lastLine)
{
    /// <summary>1-based line where the node starts, in the whole text.</summary>
    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>1-based last line holding the node's content (trailing blank lines excluded).</summary>
    public int LastLine { get; } = lastLine;

    /// <summary>How messages name what was found: "a string", "a list", "a mapping".</summary>
    public abstract string Description { get; }
}
