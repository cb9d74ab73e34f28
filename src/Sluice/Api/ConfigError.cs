namespace Sluice.Api;

/// <summary>
/// Why a piece of configuration was refused, precise enough to fix it without guessing:
/// where (source file, line, column), which object, which field, and why.
/// </summary>
public sealed record ConfigError(string Message)
{
    /// <summary>File (relative to the config directory) or other source, e.g. "-" for stdin.</summary>
    public string? Source { get; init; }

    /// <summary>1-based line of the offending node, when known.</summary>
    public int? Line { get; init; }

    public int? Column { get; init; }

    public ConfigKind? Kind { get; init; }

    public string? ObjectName { get; init; }

    /// <summary>Dotted path of the field, e.g. <c>routes[2].request_matcher.path_regex</c>.</summary>
    public string? Field { get; init; }

    /// <summary>"upstreams/a.yaml:12:5: upstream 'a': field 'spec.hosts': must not be empty".</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        if (Source is not null)
        {
            text.Append(Source);
            if (Line is not null)
            {
                text.Append(':').Append(Line);
                if (Column is not null)
                {
                    text.Append(':').Append(Column);
                }
            }
            text.Append(": ");
        }
        if (ObjectName is not null)
        {
            text.Append(Kind?.DisplayName() ?? "object").Append(" '").Append(ObjectName).Append("': ");
        }
        if (Field is not null)
        {
            text.Append("field '").Append(Field).Append("': ");
        }
        return text.Append(Message).ToString();
    }
}
