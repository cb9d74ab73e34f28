using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Cli.Output;

/// <summary><c>-o yaml</c> and <c>-o json</c>: the objects as the codec writes them, status included.</summary>
internal static class ObjectFormatter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteYaml(TextWriter writer, IReadOnlyList<IConfigObject> objects)
    {
        for (var i = 0; i < objects.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine("---");
            }
            var yaml = ConfigCodec.ToYaml(objects[i]);
            writer.Write(yaml);
            if (!yaml.EndsWith('\n'))
            {
                writer.WriteLine();
            }
        }
    }

    /// <summary>An array, or the object itself when exactly one was asked for by name.</summary>
    public static void WriteJson(TextWriter writer, IReadOnlyList<IConfigObject> objects, bool single)
    {
        JsonNode node = single
            ? ConfigCodec.ToJson(objects[0])
            : new JsonArray(objects.Select(o => (JsonNode?)ConfigCodec.ToJson(o)).ToArray());
        writer.WriteLine(node.ToJsonString(Indented));
    }
}
