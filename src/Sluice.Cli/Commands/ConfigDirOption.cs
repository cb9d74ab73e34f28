using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary><c>--config-dir DIR</c>, shared by every command that reads or writes the file store.</summary>
internal static class ConfigDirOption
{
    public const string Name = "--config-dir";

    public const string Default = "./sluice-config";

    public static Option<string?> Create() => new(Name)
    {
        Description = $"The config folder (upstreams/, virtualservices/, secrets/, files/) [env: {EnvironmentFallback.VariableFor(Name)}; default: {Default}]",
        HelpName = "DIR",
    };

    /// <summary>The flag, else <c>SLUICE_CONFIG_DIR</c>, else the default.</summary>
    public static string Resolve(ParseResult parseResult, Option<string?> option, CliContext context) =>
        EnvironmentFallback.Get(parseResult, option, context) ?? Default;

    /// <summary>The folder, which must exist: a typo in the path must not look like an empty config.</summary>
    public static string ResolveExisting(ParseResult parseResult, Option<string?> option, CliContext context)
    {
        var dir = Resolve(parseResult, option, context);
        if (!Directory.Exists(dir))
        {
            throw new CliException($"config directory '{dir}' does not exist (set it with {Name} or {EnvironmentFallback.VariableFor(Name)})");
        }
        return dir;
    }
}
