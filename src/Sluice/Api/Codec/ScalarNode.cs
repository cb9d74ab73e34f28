using YamlDotNet.Core;

namespace Sluice.Api.Codec;

internal sealed class ScalarNode(string value, ScalarStyle style, string? tag, int line, int column, int lastLine)
    : Node(line, column, lastLine)
{
    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;

    /// <summary>The explicit tag (<c>!!str</c> arrives as <c>tag:yaml.org,2002:str</c>), if any.</summary>
    public string? Tag { get; } = tag;

    /// <summary>Plain and untagged: its type comes from the YAML 1.2 core schema.</summary>
    public bool IsPlain => Style == ScalarStyle.Plain && Tag is null;

    /// <summary><c>key:</c>, <c>~</c>, <c>null</c>: the same as leaving the field out.</summary>
    public bool IsNull => IsPlain && CoreSchema.Resolve(Value) == ScalarType.Null;

    public override string Description => IsNull ? "null" : $"the scalar '{Value}'";
}
