namespace Sluice.Api.Codec;

/// <summary>
/// What every error raised while reading one document shares: the source, the kind, and the
/// object's name once it is known. Also bounds the work a document can cause through aliases.
/// </summary>
internal sealed class ReadContext(string source, ConfigKind? kind)
{
    /// <summary>Far above any real config; stops "billion laughs" alias bombs.</summary>
    private const int MaxValues = 1_000_000;

    private int _values;

    public string Source { get; } = source;

    public ConfigKind? Kind { get; } = kind;

    /// <summary>Set as soon as <c>name</c> is read, so later errors name the object.</summary>
    public string? ObjectName { get; set; }

    public ConfigException Error(Node node, string? field, string message) => new(new ConfigError(message)
    {
        Source = Source,
        Line = node.Line,
        Column = node.Column,
        Kind = Kind,
        ObjectName = ObjectName,
        Field = field,
    });

    /// <summary>Counts one value read; aliases make a small text expand to a huge tree.</summary>
    public void Count(Node node)
    {
        if (++_values > MaxValues)
        {
            throw Error(node, null, $"document too large: more than {MaxValues} values once aliases are expanded");
        }
    }

    public static string Child(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    public static string Item(string path, int index) => $"{path}[{index}]";
}
