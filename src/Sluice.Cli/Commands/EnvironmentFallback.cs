using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// Every flag can also come from <c>SLUICE_&lt;FLAG&gt;</c>, then from <c>~/.sluice/config.yaml</c>
/// (<see cref="Config.CliDefaults"/>); the flag wins over both, the variable over the file.
/// </summary>
internal static class EnvironmentFallback
{
    /// <summary><c>--http-port</c> → <c>SLUICE_HTTP_PORT</c>.</summary>
    public static string VariableFor(string flag) =>
        "SLUICE_" + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>The flag's raw value, else the variable's, else the defaults file's, else null. Empty values count as unset.</summary>
    public static string? Get(ParseResult parseResult, Option<string?> option, CliContext context)
    {
        if (parseResult.GetResult(option) is { Implicit: false })
        {
            return parseResult.GetValue(option);
        }
        var value = context.Environment(VariableFor(option.Name));
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }
        value = context.Defaults.Get(option.Name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Where a value came from, for error messages: the flag, the variable or the defaults file.</summary>
    public static string SourceOf(ParseResult parseResult, Option option, CliContext? context = null) =>
        parseResult.GetResult(option) is { Implicit: false } ? option.Name
        : context is not null && string.IsNullOrEmpty(context.Environment(VariableFor(option.Name))) && context.Defaults.Get(option.Name) is not null
            ? $"{context.Defaults.Path}: {option.Name.TrimStart('-')}"
            : VariableFor(option.Name);
}
