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
    private readonly IReadOnlyList<string> _known;
    private readonly Dictionary<string, Node> _fields = new(StringComparer.Ordinal);

    private MappingReader(ReadContext context, MappingNode node, string path, IReadOnlyList<string> known)
    {
        _context = context;
        _node = node;
        _path = path;
        _known = known;
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
    public static MappingReader Open(ReadContext context, Node node, string path, IReadOnlyList<string> known, bool rejectUnknown = true)
    {
        context.Count(node);
        if (node is not MappingNode mapping)
        {
            throw context.Error(node, path.Length == 0 ? null : path, $"expected a mapping of fields, got {node.Description}");
        }
        var reader = new MappingReader(context, mapping, path, known);
        if (rejectUnknown)
        {
            reader.RejectUnknown();
        }
        return reader;
    }

    public void RejectUnknown()
    {
        foreach (var (key, _) in _node.Entries)
        {
            if (!_known.Contains(key.Value))
            {
                var message = $"unknown field (expected one of: {string.Join(", ", _known)})";
                if (FieldSuggestions.Closest(key.Value, _known) is { } suggestion)
                {
                    message += $"; did you mean '{suggestion}'?";
                }
                throw _context.Error(key, Path(key.Value), message);
            }
        }
    }

    public string Path(string field) => ReadContext.Child(_path, field);

    /// <summary>The field's node, or null when absent or written as null.</summary>
    public Node? Get(string field) =>
        _fields.TryGetValue(field, out var node) && node is not ScalarNode { IsNull: true } ? node : null;

    public bool Has(string field) => Get(field) is not null;

    public string? String(string field) => Values.String(_context, Get(field), Path(field));

    public string RequiredString(string field, string? hint = null) =>
        String(field) ?? throw Missing(field, hint);

    public bool? Bool(string field) => Values.Bool(_context, Get(field), Path(field));

    public uint? UInt32(string field) => Values.UInt32(_context, Get(field), Path(field));

    public TimeSpan? Duration(string field) => Values.Duration(_context, Get(field), Path(field));

    public ValueList<string> StringList(string field) => Values.StringList(_context, Get(field), Path(field));

    public ValueMap StringMap(string field) => Values.StringMap(_context, Get(field), Path(field));

    public Struct Struct(string field) => Values.Struct(_context, Get(field), Path(field));

    public ValueList<T> List<T>(string field, Func<ReadContext, Node, string, T> read) =>
        Values.List(_context, Get(field), Path(field), read);

    /// <summary>Reads a nested structure when present.</summary>
    public T? Object<T>(string field, Func<ReadContext, Node, string, T> read) where T : class =>
        Get(field) is { } node ? read(_context, node, Path(field)) : null;

    public T RequiredObject<T>(string field, Func<ReadContext, Node, string, T> read) =>
        Get(field) is { } node ? read(_context, node, Path(field)) : throw Missing(field, null);

    /// <summary>Protobuf oneofs: at most one of these fields may be set.</summary>
    public void AtMostOne(params string[] fields)
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
