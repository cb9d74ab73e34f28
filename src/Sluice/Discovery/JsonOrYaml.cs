using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sluice.Discovery;

/// <summary>Reads a document that may be JSON or YAML into a JSON tree (YAML's plain scalars typed as YAML 1.2's core schema does).</summary>
internal static class JsonOrYaml
{
    public static JsonNode? Parse(byte[] bytes, string where)
    {
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        try
        {
            if (text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('['))
            {
                return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
            }
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            return yaml.Documents.Count == 0 ? null : Convert(yaml.Documents[0].RootNode, 0);
        }
        catch (Exception exception) when (exception is JsonException or YamlException)
        {
            throw new DiscoveryException($"{where} is neither valid JSON nor valid YAML: {exception.Message}");
        }
    }

    private static JsonNode? Convert(YamlNode node, int depth)
    {
        if (depth > 256)
        {
            throw new DiscoveryException("document nested more than 256 levels deep");
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                var json = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    json[((YamlScalarNode)key).Value ?? ""] = Convert(value, depth + 1);
                }
                return json;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(c => Convert(c, depth + 1))]);
            case YamlScalarNode { Style: ScalarStyle.Plain } scalar:
                var text = scalar.Value ?? "";
                return text switch
                {
                    "" or "~" or "null" or "Null" or "NULL" => null,
                    "true" or "True" or "TRUE" => JsonValue.Create(true),
                    "false" or "False" or "FALSE" => JsonValue.Create(false),
                    _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
                    _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => JsonValue.Create(number),
                    _ => JsonValue.Create(text),
                };
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? "");
            default:
                throw new DiscoveryException($"YAML node {node.NodeType} is not supported");
        }
    }
}
