using System.CommandLine;
using Sluice.Cli.Commands;

namespace Sluice.Cli;

/// <summary>The command tree: glooctl's verbs (reference §7) over Sluice's store and gateway.</summary>
internal static class SluiceCommand
{
    public static RootCommand Create(CliContext context)
    {
        var root = new RootCommand("sluice: the function gateway for .NET")
        {
            RunCommand.Create(context),
            ObjectCommands.Create(context, Api.ConfigKind.Upstream),
            ObjectCommands.Create(context, Api.ConfigKind.VirtualService),
            Routes.RouteCommand.Create(context),
            Secrets.SecretCommand.Create(context),
            Check.CheckCommand.Create(context),
            Proxy.ProxyCommand.Create(context),
            GetCommand.Create(context),
            FunctionCommand.Create(context),
            DiscoverCommand.Create(context),
            ApplyCommand.Create(context),
            DeleteCommand.Create(context),
            MigrateCommand.Create(context),
            ValidateCommand.Create(context),
            VersionCommand.Create(context),
            SchemaCommand.Create(context),
            CompletionCommand.Create(context),
            SampleBackendCommand.Create(context),
        };
        // The process is Sluice.Cli.dll (see the csproj); help should name the command users type.
        root.HelpName = "sluice";
        return root;
    }
}
