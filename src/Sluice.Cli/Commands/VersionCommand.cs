using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice version</c>.</summary>
internal static class VersionCommand
{
    /// <summary>The informational version, with the commit shortened as git shows it (0.1.0+1a2b3c4).</summary>
    public static string Version { get; } = Shorten(
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown");

    internal static string Shorten(string version)
    {
        var plus = version.IndexOf('+');
        return plus >= 0 && version.Length - plus - 1 > 7 ? version[..(plus + 1 + 7)] : version;
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("version", "Print the version");
        command.SetAction(_ =>
        {
            context.Out.WriteLine($"sluice {Version} ({RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier})");
            return ExitCodes.Success;
        });
        return command;
    }
}
