namespace Sluice.Api.Codec;

/// <summary>
/// Reads a secret file: one flat YAML map of strings. Its errors give the position and the shape
/// found, never the text: a raw token saved as the file would otherwise be echoed into load
/// errors, the log and <c>/api/v1/plan</c>.
/// </summary>
internal static class SecretReader
{
    public static ValueMap Read(string text, string source)
    {
        var documents = YamlLoader.Load(text, source);
        if (documents.Count == 0)
        {
            return ValueMap.Empty;
        }
        var context = new ReadContext(source, null);
        if (documents[0].Root is not { } root)
        {
            // YAML errors may quote the text (an anchor's name, a duplicate key): keep only where.
            throw new ConfigException(documents[0].Error! with { Message = "not valid YAML (a secret's contents are not shown)" });
        }
        if (documents.Count > 1)
        {
            throw new ConfigException(new ConfigError("a secret is a single YAML document; found a second one")
            {
                Source = source,
                Line = documents[1].StartLine,
            });
        }
        if (root is not MappingNode mapping)
        {
            throw context.Error(root, null, $"expected a flat map of strings, got {Shape(root)}");
        }
        var pairs = new List<KeyValuePair<string, string>>(mapping.Entries.Count);
        foreach (var (key, value) in mapping.Entries)
        {
            // Numbers and booleans keep the text they were written with: "port: 0800" stays "0800".
            pairs.Add(new(key.Value, value is ScalarNode scalar
                ? scalar.Value
                : throw context.Error(value, key.Value,
                    $"expected a string, got {Shape(value)} (a secret is a flat map of strings)")));
        }
        return new ValueMap(pairs);
    }

    /// <summary>A node's shape without its value (<see cref="Node.Description"/> quotes scalars).</summary>
    private static string Shape(Node node) => node is ScalarNode ? "a single value (not shown)" : node.Description;
}
