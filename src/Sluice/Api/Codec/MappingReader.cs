namespace Sluice.Api.Codec;

/// <summary>
/// One typed structure (an upstream, a route, a matcher): its fields by name, checked against
/// the fields the structure knows, and typed getters that name the field in every error.
/// </summary>
internal sealed class MappingReader
{
    private readonly ReadContext _context;
    private readonly MappingNode _node;
    private readonly string _path;
    private readonly Shape _shape;
    private readonly Dictionary<string, Node> _fields = new(StringComparer.Ordinal);

    private MappingReader(ReadContext context, MappingNode node, string path, Shape shape)
    {
        _context = context;
        _node = node;
        _path = path;
        _shape = shape;
        foreach (var (key, value) in node.Entries)
        {
            _fields[key.Value] = value;
        }
    }

    public MappingNode Node => _node;

    /// <summary>
    /// Opens a structure; unknown fields are rejected at once unless the caller first reads
    /// something (the name) that later errors should carry, then calls <see cref="RejectUnknown"/>.
    /// </summary>
    public static MappingReader Open(ReadContext context, Node node, string path, Shape shape, bool rejectUnknown = true)
    {
        context.Count(node);
        if (node is not MappingNode mapping)
        {
            throw context.Error(node, path.Length == 0 ? null : path, $"expected a mapping of fields, got {node.Description}");
        }
        var reader = new MappingReader(context, mapping, path, shape);
        if (rejectUnknown)
        {
            reader.RejectUnknown();
        }
        return reader;
    }

    /// <summary>Refuses fields the shape does not know, then more than one field of an exclusive group.</summary>
    public void RejectUnknown()
    {
        var known = _shape.FieldNames;
        foreach (var (key, _) in _node.Entries)
        {
            if (!known.Contains(key.Value))
            {
                var message = $"unknown field (expected one of: {string.Join(", ", known)})";
                if (FieldSuggestions.Closest(key.Value, known) is { } suggestion)
                {
                    message += $"; did you mean '{suggestion}'?";
                }
                throw _context.Error(key, Path(key.Value), message);
            }
        }
        foreach (var group in _shape.Exclusive)
        {
            AtMostOne(group);
        }
    }

    public string Path(string field) => ReadContext.Child(_path, field);

    /// <summary>The field's node, or null when absent or written as null.</summary>
    public Node? Get(string field) =>
        _fields.TryGetValue(field, out var node) && node is not ScalarNode { IsNull: true } ? node : null;

    public bool Has(string field) => Get(field) is not null;

    public string? String(string field) => Values.String(_context, Typed(field, FieldType.String), Path(field));

    public string RequiredString(string field, string? hint = null) =>
        Values.String(_context, Typed(field, FieldType.String, required: true), Path(field)) ?? throw Missing(field, hint);

    public bool? Bool(string field) => Values.Bool(_context, Typed(field, FieldType.Bool), Path(field));

    public uint? UInt32(string field) => Values.UInt32(_context, Typed(field, FieldType.UInt32), Path(field));

    public TimeSpan? Duration(string field) => Values.Duration(_context, Typed(field, FieldType.Duration), Path(field));

    public ValueList<string> StringList(string field) => Values.StringList(_context, Typed(field, FieldType.StringList), Path(field));

    public ValueMap StringMap(string field) => Values.StringMap(_context, Typed(field, FieldType.StringMap), Path(field));

    public Struct Struct(string field) => Values.Struct(_context, Typed(field, FieldType.Struct), Path(field));

    public ValueList<T> List<T>(string field, Func<ReadContext, Node, string, T> read) =>
        Values.List(_context, Typed(field, FieldType.List), Path(field), read);

    /// <summary>Reads a nested structure when present.</summary>
    public T? Object<T>(string field, Func<ReadContext, Node, string, T> read) where T : class =>
        Typed(field, FieldType.Object) is { } node ? read(_context, node, Path(field)) : null;

    public T RequiredObject<T>(string field, Func<ReadContext, Node, string, T> read) =>
        Typed(field, FieldType.Object, required: true) is { } node ? read(_context, node, Path(field)) : throw Missing(field, null);

    /// <summary>The field's node, after checking that the shape declares it with this type (see <see cref="Shape"/>).</summary>
    private Node? Typed(string field, FieldType type, bool required = false)
    {
        _shape.Get(field, type, required);
        return Get(field);
    }

    /// <summary>Protobuf oneofs: at most one of these fields may be set (the shape's groups, checked on open).</summary>
    private void AtMostOne(params string[] fields)
    {
        string? first = null;
        foreach (var field in fields)
        {
            if (Get(field) is { } node)
            {
                if (first is not null)
                {
                    throw _context.Error(node, Path(field), $"only one of {string.Join(", ", fields)} may be set; '{first}' is set too");
                }
                first = field;
            }
        }
    }

    /// <summary>Reads <c>name</c>, checks Gloo's naming rule, and names the object in later errors.</summary>
    public string ReadName()
    {
        var name = RequiredString("name");
        if (!ObjectNames.IsValid(name))
        {
            throw _context.Error(Get("name")!, Path("name"), $"invalid name '{name}': {ObjectNames.Rule}");
        }
        _context.ObjectName = name;
        return name;
    }

    private ConfigException Missing(string field, string? hint) =>
        _context.Error(_node, Path(field), hint is null ? "is required" : $"is required ({hint})");
}
