using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice version</c>.</summary>
internal static class VersionCommand
{
    /// <summary>The informational version (with the commit when the build knew it).</summary>
    public static string Version { get; } =
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";

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
