using System.Text.Json;

namespace Sluice.Api;

/// <summary>
/// A free-form object (Gloo's <c>google.protobuf.Struct</c>): an upstream's <c>spec</c>, a route's
/// <c>extensions</c>. Plugins decode it; the codec only carries it. Compares by content.
/// </summary>
public sealed class Struct : IEquatable<Struct>
{
    public static readonly Struct Empty = new(JsonDocument.Parse("{}").RootElement);

    public Struct(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A struct must be a JSON object.", nameof(root));
        }
        Root = root;
    }

    /// <summary>The object itself; always <see cref="JsonValueKind.Object"/>.</summary>
    public JsonElement Root { get; }

    public bool IsEmpty => !Root.EnumerateObject().Any();

    public bool Equals(Struct? other) => other is not null && JsonElement.DeepEquals(Root, other.Root);

    public override bool Equals(object? obj) => Equals(obj as Struct);

    public override int GetHashCode() => Root.GetRawText().GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Root.GetRawText();
}
