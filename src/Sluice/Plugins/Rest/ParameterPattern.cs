using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Plugins.Rest;

/// <summary>
/// A parameter source pattern such as <c>/users/{id}</c> or <c>Bearer {token}</c>, compiled as
/// envoy-gloo did: literal text quoted, each <c>{name}</c> a group of <c>[-._A-Za-z0-9]+</c> (so it
/// never spans a '/'), and the whole value must match. Compares by its source text.
/// </summary>
internal sealed partial class ParameterPattern : IEquatable<ParameterPattern>
{
    private ParameterPattern(string source, Regex? regex, string[] names)
    {
        Source = source;
        Regex = regex;
        Names = names;
    }

    public string Source { get; }

    /// <summary>Null when the pattern has no placeholders: the whole value is the extraction.</summary>
    public Regex? Regex { get; }

    /// <summary>Placeholder names, in group order.</summary>
    public string[] Names { get; }

    /// <summary>Compiles <paramref name="source"/>, or returns null with <paramref name="error"/> set.</summary>
    public static ParameterPattern? Compile(string source, out string? error)
    {
        var names = new List<string>();
        var regex = new StringBuilder("^");
        var last = 0;
        foreach (Match match in Placeholder().Matches(source))
        {
            regex.Append(Regex.Escape(source[last..match.Index])).Append("([-._A-Za-z0-9]+)");
            names.Add(match.Groups[1].Value);
            last = match.Index + match.Length;
        }
        regex.Append(Regex.Escape(source[last..])).Append("$");
        var literal = Placeholder().Replace(source, "");
        if (literal.Contains('{') || literal.Contains('}'))
        {
            error = $"'{source}' is not valid syntax. {{}} braces must be closed and variable names must satisfy regex ([\\-._[:alnum:]]+)";
            return null;
        }
        error = null;
        return names.Count == 0
            ? new ParameterPattern(source, null, [])
            // Linear-time matching: a header value cannot make extraction slow.
            : new ParameterPattern(source, new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), [.. names]);
    }

    public bool Equals(ParameterPattern? other) => other is not null && string.Equals(Source, other.Source, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ParameterPattern);

    public override int GetHashCode() => Source.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Source;

    [GeneratedRegex(@"\{([-._A-Za-z0-9]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
