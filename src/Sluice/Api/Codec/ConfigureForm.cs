namespace Sluice.Api.Codec;

/// <summary>
/// Gloo's <c>glooctl configure -f</c> file: one document <c>{upstreams: [...], virtual_services: [...]}</c>.
/// Each item becomes its own decoded document whose lines are the item's own.
/// </summary>
internal static class ConfigureForm
{
    private static readonly string[] Fields = ["upstreams", "virtual_services", "roles", "attributes"];

    /// <summary>A mapping with a list key and no <c>name</c>: objects always have a name.</summary>
    public static bool Matches(Node root) =>
        root is MappingNode mapping
        && mapping.Entries.Any(e => e.Key.Value is "upstreams" or "virtual_services")
        && mapping.Entries.All(e => e.Key.Value != "name");

    public static IEnumerable<DecodedDocument> Expand(MappingNode root, string source)
    {
        foreach (var (key, value) in root.Entries)
        {
            var context = new ReadContext(source, null);
            switch (key.Value)
            {
                case "upstreams":
                    foreach (var item in Items(context, key, value, ConfigKind.Upstream))
                    {
                        yield return item;
                    }
                    break;
                case "virtual_services":
                    foreach (var item in Items(context, key, value, ConfigKind.VirtualService))
                    {
                        yield return item;
                    }
                    break;
                case "roles" or "attributes" when value is ScalarNode { IsNull: true } or SequenceNode { Items.Count: 0 }:
                    break;
                case "roles" or "attributes":
                    // Gloo 0.4 roles assign virtual services to Envoy listeners; Sluice's listeners
                    // come from its own settings, so a non-empty list cannot be honoured silently.
                    yield return Failed(context.Error(key, key.Value,
                        "Gloo roles and attributes are not supported: Sluice serves virtual services on its own "
                        + "listeners (use disable_for_gateways to keep one off them)"), key, value);
                    break;
                default:
                    var message = $"unknown field (expected one of: {string.Join(", ", Fields)})";
                    if (FieldSuggestions.Closest(key.Value, Fields) is { } suggestion)
                    {
                        message += $"; did you mean '{suggestion}'?";
                    }
                    yield return Failed(context.Error(key, key.Value, message), key, value);
                    break;
            }
        }
    }

    private static IEnumerable<DecodedDocument> Items(ReadContext context, ScalarNode key, Node value, ConfigKind kind)
    {
        if (value is ScalarNode { IsNull: true })
        {
            yield break;
        }
        if (value is not SequenceNode list)
        {
            var error = context.Error(value, key.Value, $"expected a list of {kind.Plural()}, got {value.Description}");
            yield return DocumentDecoder.Failed(error.Error with { Kind = kind }, kind, key.Line, value.LastLine);
            yield break;
        }
        foreach (var item in list.Items)
        {
            yield return DocumentDecoder.Decode(item, kind, context.Source, item.Line, item.LastLine);
        }
    }

    private static DecodedDocument Failed(ConfigException error, ScalarNode key, Node value) =>
        DocumentDecoder.Failed(error.Error, null, key.Line, Math.Max(key.LastLine, value.LastLine));
}
