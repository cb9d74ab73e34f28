namespace Sluice.Api.Codec;

/// <summary>Reads a secret file: one flat YAML map of strings.</summary>
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
            throw new ConfigException(documents[0].Error!);
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
            throw context.Error(root, null, $"expected a flat map of strings, got {root.Description}");
        }
        var pairs = new List<KeyValuePair<string, string>>(mapping.Entries.Count);
        foreach (var (key, value) in mapping.Entries)
        {
            // Numbers and booleans keep the text they were written with: "port: 0800" stays "0800".
            pairs.Add(new(key.Value, value is ScalarNode scalar
                ? scalar.Value
                : throw context.Error(value, key.Value,
                    $"expected a string, got {value.Description} (a secret is a flat map of strings)")));
        }
        return new ValueMap(pairs);
    }
}
