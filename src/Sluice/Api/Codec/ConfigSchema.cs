using System.Text.Json.Nodes;

namespace Sluice.Api.Codec;

/// <summary>
/// The JSON Schema (draft 2020-12) of upstream and virtual service files, generated from
/// <see cref="Shapes"/>, the model the readers read with, so it accepts what the codec accepts:
/// scalars as the codec reads them (any scalar where a string is expected, quoted whole numbers,
/// durations as "5s" or nanoseconds), Gloo's wrapped scalars (<c>x: {value: v}</c>), null as
/// absent, unknown fields refused, and at most one field of each protobuf oneof. Free-form parts
/// (<c>spec</c>, <c>extensions</c>) are open objects: their plugins check them.
/// </summary>
internal static class ConfigSchema
{
    /// <summary>What <see cref="Durations.TryParse"/> accepts: digits (nanoseconds), or numbers with Go's units.</summary>
    private const string DurationPattern = @"^\s*([0-9]+|([0-9.]+(ns|us|µs|ms|s|m|h))+)\s*$";

    public const string Draft = "https://json-schema.org/draft/2020-12/schema";

    public static JsonObject Generate(ConfigKind kind)
    {
        var root = kind == ConfigKind.Upstream ? Shapes.Upstream : Shapes.VirtualService;
        var defs = new JsonObject();
        AddScalars(defs);
        var shapes = new List<Shape>();
        Collect(root, shapes);
        foreach (var shape in shapes.Where(s => s != root))
        {
            defs[shape.Id] = Object(shape);
        }
        var schema = new JsonObject
        {
            ["$schema"] = Draft,
            ["$id"] = $"https://sluice.dev/schema/{kind.Plural().TrimEnd('s')}.schema.json",
            ["title"] = $"Sluice {kind.DisplayName()}",
        };
        foreach (var (key, value) in Object(root))
        {
            schema[key] = value?.DeepClone();
        }
        schema["$defs"] = defs;
        return schema;
    }

    private static void Collect(Shape shape, List<Shape> shapes)
    {
        if (shapes.Contains(shape))
        {
            return;
        }
        shapes.Add(shape);
        foreach (var field in shape.Fields)
        {
            if (field.Of is { } of)
            {
                Collect(of, shapes);
            }
        }
    }

    private static JsonObject Object(Shape shape)
    {
        var properties = new JsonObject();
        foreach (var field in shape.Fields)
        {
            var schema = FieldSchema(field);
            schema["description"] = field.Description;
            properties[field.Name] = schema;
        }
        var json = new JsonObject
        {
            ["description"] = shape.Description,
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        var required = shape.Fields.Where(f => f.Required).Select(f => (JsonNode)f.Name).ToArray();
        if (required.Length > 0)
        {
            json["required"] = new JsonArray(required);
        }
        if (shape.Exclusive.Count > 0)
        {
            // At most one of each group is present and not null.
            var all = new JsonArray();
            foreach (var group in shape.Exclusive)
            {
                for (var i = 0; i < group.Length; i++)
                {
                    for (var j = i + 1; j < group.Length; j++)
                    {
                        all.Add(new JsonObject
                        {
                            ["not"] = new JsonObject
                            {
                                ["required"] = new JsonArray(group[i], group[j]),
                                ["properties"] = new JsonObject { [group[i]] = NotNull(), [group[j]] = NotNull() },
                            },
                        });
                    }
                }
            }
            json["allOf"] = all;
        }
        return json;
    }

    private static JsonObject NotNull() => new() { ["not"] = new JsonObject { ["type"] = "null" } };

    private static JsonObject Ref(string id) => new() { ["$ref"] = $"#/$defs/{id}" };

    private static JsonObject Nullable(JsonObject schema) => new() { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    private static JsonObject FieldSchema(Field field) => field.Type switch
    {
        FieldType.String => Ref("string"),
        FieldType.Name => field.Required ? Ref("name") : Nullable(Ref("name")),
        FieldType.Bool => Ref("bool"),
        FieldType.UInt32 => Ref("uint32"),
        FieldType.Duration => Ref("duration"),
        FieldType.Enum => new JsonObject { ["enum"] = new JsonArray([.. field.Values.Select(v => (JsonNode)v)]) },
        FieldType.StringList => Nullable(new JsonObject { ["type"] = "array", ["items"] = Ref("string") }),
        FieldType.StringMap => Nullable(new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("string") }),
        FieldType.Struct => new JsonObject { ["type"] = new JsonArray("object", "null") },
        FieldType.StructList => Nullable(new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } }),
        FieldType.Object => field.Required ? Ref(field.Of!.Id) : Nullable(Ref(field.Of!.Id)),
        FieldType.List => Nullable(new JsonObject { ["type"] = "array", ["items"] = Ref(field.Of!.Id) }),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>Scalars as <see cref="Values"/> reads them, each also as Gloo's <c>{value: v}</c>.</summary>
    private static void AddScalars(JsonObject defs)
    {
        static JsonObject Wrapped(JsonObject scalar, string description) => new()
        {
            ["description"] = description,
            ["anyOf"] = new JsonArray(
                scalar,
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["value"] = scalar.DeepClone() },
                    ["required"] = new JsonArray("value"),
                    ["additionalProperties"] = false,
                }),
        };
        defs["string"] = Wrapped(new JsonObject { ["type"] = new JsonArray("string", "number", "boolean", "null") }, "Text; a number or boolean is read as its text");
        defs["bool"] = Wrapped(new JsonObject { ["type"] = new JsonArray("boolean", "null") }, "true or false");
        defs["uint32"] = Wrapped(new JsonObject
        {
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = uint.MaxValue },
                new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{1,10}$" },
                new JsonObject { ["type"] = "null" }),
        }, "A whole number from 0 to 4294967295");
        defs["duration"] = Wrapped(new JsonObject
        {
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "string", ["pattern"] = DurationPattern },
                new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
                new JsonObject { ["type"] = "null" }),
        }, "A duration such as \"5s\", \"250ms\", \"1m30s\", or integer nanoseconds");
        defs["name"] = new JsonObject
        {
            ["description"] = ObjectNames.Rule,
            ["type"] = "string",
            ["pattern"] = ObjectNames.PatternText,
            ["maxLength"] = 253,
        };
    }
}
