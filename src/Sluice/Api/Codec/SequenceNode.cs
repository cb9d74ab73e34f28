namespace Sluice.Api.Codec;

internal sealed class SequenceNode(IReadOnlyList<Node> items, int line, int column, int lastLine)
    : Node(line, column, lastLine)
{
    public IReadOnlyList<Node> Items { get; } = items;

    public override string Description => "a list";
}
