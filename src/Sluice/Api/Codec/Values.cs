using System.Globalization;

namespace Sluice.Api.Codec;

/// <summary>
/// Reads typed values from nodes with precise errors. A null node (field absent, or written as
/// <c>key:</c>, <c>~</c>, <c>null</c>) reads as "not set", as proto3 JSON does. Every scalar may
/// also be wrapped as <c>{value: v}</c>, the shape Go's JSON gives protobuf wrapper types.
/// </summary>
internal static class Values
{
    public static string? String(ReadContext context, Node? node, string path)
    {
        node = Unwrap(node);
        return node switch
        {
            null => null,
            ScalarNode scalar => Count(context, scalar).IsNull ? null : scalar.Value,
            _ => throw context.Error(node, path, $"expected a string, got {node.Description}"),
        };
    }

    public static bool? Bool(ReadContext context, Node? node, string path)
    {
        node = Unwrap(node);
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return null;
        }
        return node is ScalarNode { IsPlain: true } scalar && CoreSchema.Resolve(scalar.Value) == ScalarType.Bool
            ? CoreSchema.IsTrue(scalar.Value)
            : throw context.Error(node, path, $"expected true or false, got {node.Description}");
    }

    /// <summary>Accepts <c>5</c> and <c>"5"</c>: proto3 JSON allows integers as strings.</summary>
    public static uint? UInt32(ReadContext context, Node? node, string path)
    {
        node = Unwrap(node);
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return null;
        }
        return node is ScalarNode scalar && uint.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw context.Error(node, path, $"expected a whole number from 0 to {uint.MaxValue}, got {node.Description}");
    }

    /// <summary><c>"5s"</c>, <c>"250ms"</c>, <c>"1m30s"</c>, or integer nanoseconds as Go's JSON wrote them.</summary>
    public static TimeSpan? Duration(ReadContext context, Node? node, string path)
    {
        node = Unwrap(node);
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return null;
        }
        return node is ScalarNode scalar && Durations.TryParse(scalar.Value, out var value)
            ? value
            : throw context.Error(node, path,
                $"expected a duration such as \"5s\", \"250ms\", \"1m30s\" or integer nanoseconds, got {node.Description}");
    }

    public static ValueList<string> StringList(ReadContext context, Node? node, string path)
    {
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return ValueList<string>.Empty;
        }
        if (node is not SequenceNode sequence)
        {
            throw context.Error(node, path, $"expected a list of strings, got {node.Description}");
        }
        var items = new List<string>(sequence.Items.Count);
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = Unwrap(sequence.Items[i]);
            if (item is not ScalarNode { IsNull: false } scalar)
            {
                throw context.Error(item ?? sequence.Items[i], path,
                    $"expected a list of strings, got {(item ?? sequence.Items[i]).Description} at index {i}");
            }
            items.Add(Count(context, scalar).Value);
        }
        return new ValueList<string>(items);
    }

    /// <summary>A map of strings; <c>key:</c> with no value is <c>""</c> (for headers: "must be present").</summary>
    public static ValueMap StringMap(ReadContext context, Node? node, string path)
    {
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return ValueMap.Empty;
        }
        if (node is not MappingNode mapping)
        {
            throw context.Error(node, path, $"expected a map of strings, got {node.Description}");
        }
        var pairs = new List<KeyValuePair<string, string>>(mapping.Entries.Count);
        foreach (var (key, value) in mapping.Entries)
        {
            var item = Unwrap(value);
            if (item is not ScalarNode scalar)
            {
                throw context.Error(value, ReadContext.Child(path, key.Value), $"expected a string, got {value.Description}");
            }
            pairs.Add(new(key.Value, Count(context, scalar).IsNull ? "" : scalar.Value));
        }
        return new ValueMap(pairs);
    }

    public static Struct Struct(ReadContext context, Node? node, string path) => node switch
    {
        null or ScalarNode { IsNull: true } => Api.Struct.Empty,
        MappingNode mapping => StructReader.Read(context, mapping),
        _ => throw context.Error(node, path, $"expected a mapping of free-form fields, got {node.Description}"),
    };

    public static ValueList<T> List<T>(ReadContext context, Node? node, string path, Func<ReadContext, Node, string, T> read)
    {
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return ValueList<T>.Empty;
        }
        if (node is not SequenceNode sequence)
        {
            throw context.Error(node, path, $"expected a list, got {node.Description}");
        }
        var items = new List<T>(sequence.Items.Count);
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            items.Add(read(context, sequence.Items[i], ReadContext.Item(path, i)));
        }
        return new ValueList<T>(items);
    }

    /// <summary><c>{value: v}</c> → <c>v</c>; anything else unchanged.</summary>
    private static Node? Unwrap(Node? node) =>
        node is MappingNode { Entries: [{ Key.Value: "value" } entry] } ? entry.Value : node;

    private static ScalarNode Count(ReadContext context, ScalarNode node)
    {
        context.Count(node);
        return node;
    }
}
