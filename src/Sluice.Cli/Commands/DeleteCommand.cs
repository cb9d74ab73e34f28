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
        var storeFlags = new StoreFlags();
        var command = new Command("delete", "Delete an object") { kind, name };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var objectKind = parseResult.GetValue(kind);
            var objectName = parseResult.GetRequiredValue(name);
            try
            {
                await store.DeleteAsync(objectKind, objectName, cancellationToken);
            }
            catch (StoreNotFoundException)
            {
                throw new CliException($"{KindArgument.Reference(objectKind, objectName)}: not found in {storeFlags.Describe(parseResult, context)}");
            }
            context.Out.WriteLine($"{KindArgument.Reference(objectKind, objectName)} deleted");
            return ExitCodes.Success;
        });
        return command;
    }
}
