namespace Sluice.Api.Codec;

/// <summary>A mapping; keys are scalars, unique by text, in document order.</summary>
internal sealed class MappingNode(IReadOnlyList<KeyValuePair<ScalarNode, Node>> entries, int line, int column, int lastLine)
    : Node(line, column, lastLine)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, Node>> Entries { get; } = entries;

    public override string Description => "a mapping";
}
