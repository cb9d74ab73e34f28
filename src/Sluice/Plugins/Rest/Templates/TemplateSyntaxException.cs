namespace Sluice.Plugins.Rest.Templates;

/// <summary>A template that does not parse, with the 1-based line and column where it went wrong.</summary>
internal sealed class TemplateSyntaxException(int line, int column, string reason)
    : Exception($"line {line}, column {column}: {reason}")
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Reason { get; } = reason;
}
