namespace Sluice.Api.Codec;

/// <summary>How the codec reads one field: the reader's getter and the JSON Schema both follow this.</summary>
internal enum FieldType
{
    /// <summary>Any scalar, read as its text (<c>8080</c> becomes "8080").</summary>
    String,

    /// <summary>An object name (<see cref="ObjectNames"/>).</summary>
    Name,

    /// <summary>A plain <c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A whole number from 0 to 2^32-1, plain or quoted.</summary>
    UInt32,

    /// <summary>"5s", "250ms", "1m30s", or integer nanoseconds.</summary>
    Duration,

    /// <summary>One of <see cref="Field.Values"/>.</summary>
    Enum,

    StringList,

    StringMap,

    /// <summary>A free-form mapping (plugin specs, extensions).</summary>
    Struct,

    /// <summary>A nested structure (<see cref="Field.Of"/>).</summary>
    Object,

    /// <summary>A list of nested structures (<see cref="Field.Of"/>).</summary>
    List,

    /// <summary>A list of free-form mappings.</summary>
    StructList,
}

/// <summary>One field of a <see cref="Shape"/>.</summary>
internal sealed record Field(string Name, FieldType Type, string Description)
{
    public Shape? Of { get; init; }

    public bool Required { get; init; }

    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>
/// One typed structure of the v1 API (an upstream, a route, a matcher): its fields and which of
/// them exclude each other. The readers open mappings with their shape, and
/// <see cref="MappingReader"/> refuses to read a field the shape does not declare, or as another
/// type; the JSON Schema (<see cref="ConfigSchema"/>) is generated from the same shapes. So the
/// schema cannot drift from what the codec accepts: a field added to a reader but not to its
/// shape fails the first time it is read.
/// </summary>
internal sealed class Shape
{
    private readonly Dictionary<string, Field> _byName;

    public Shape(string id, string description, IReadOnlyList<Field> fields, params string[][] exclusive)
    {
        Id = id;
        Description = description;
        Fields = fields;
        Exclusive = exclusive;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        FieldNames = [.. fields.Select(f => f.Name)];
    }

    /// <summary>The name under <c>$defs</c> in the schema.</summary>
    public string Id { get; }

    public string Description { get; }

    public IReadOnlyList<Field> Fields { get; }

    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>Protobuf oneofs: groups of fields of which at most one may be set.</summary>
    public IReadOnlyList<string[]> Exclusive { get; }

    /// <summary>The declared field; a reader asking for another one is a bug in the codec.</summary>
    public Field Get(string name, FieldType type, bool required)
    {
        if (!_byName.TryGetValue(name, out var field) || field.Type != type && !(field.Type is FieldType.Name or FieldType.Enum && type == FieldType.String) && !(field.Type == FieldType.StructList && type == FieldType.List) || field.Required != required)
        {
            throw new InvalidOperationException(
                $"codec: {Id}.{name} is read as {(required ? "required " : "")}{type} but its shape declares {(field is null ? "no such field" : $"{(field.Required ? "required " : "")}{field.Type}")}; update Shapes");
        }
        return field;
    }
}
