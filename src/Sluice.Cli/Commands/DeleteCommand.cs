using System.CommandLine;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice delete upstream|virtualservice NAME</c>.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliContext context)
    {
        var kind = KindArgument.Create();
        var name = new Argument<string>("name") { Description = "The object to delete" };
        name.Validators.Add(KindArgument.RejectFlags);
        var configDir = ConfigDirOption.Create();
        var command = new Command("delete", "Delete an object") { kind, name, configDir };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var dir = ConfigDirOption.ResolveExisting(parseResult, configDir, context);
            var objectKind = parseResult.GetValue(kind);
            var objectName = parseResult.GetRequiredValue(name);
            try
            {
                await Stores.OpenFiles(dir).DeleteAsync(objectKind, objectName, cancellationToken);
            }
            catch (StoreNotFoundException)
            {
                throw new CliException($"{KindArgument.Reference(objectKind, objectName)}: not found in {dir}");
            }
            context.Out.WriteLine($"{KindArgument.Reference(objectKind, objectName)} deleted");
            return ExitCodes.Success;
        });
        return command;
    }
}
