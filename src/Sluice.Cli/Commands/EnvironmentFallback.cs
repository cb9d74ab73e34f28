using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>Every flag can also come from <c>SLUICE_&lt;FLAG&gt;</c>; the flag wins when both are set.</summary>
internal static class EnvironmentFallback
{
    /// <summary><c>--http-port</c> → <c>SLUICE_HTTP_PORT</c>.</summary>
    public static string VariableFor(string flag) =>
        "SLUICE_" + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>The flag's raw value, else the variable's, else null. Empty variables count as unset.</summary>
    public static string? Get(ParseResult parseResult, Option<string?> option, CliContext context)
    {
        if (parseResult.GetResult(option) is { Implicit: false })
        {
            return parseResult.GetValue(option);
        }
        var value = context.Environment(VariableFor(option.Name));
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Where a value came from, for error messages: the flag or the variable.</summary>
    public static string SourceOf(ParseResult parseResult, Option option) =>
        parseResult.GetResult(option) is { Implicit: false } ? option.Name : VariableFor(option.Name);
}
