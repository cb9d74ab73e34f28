using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice delete upstream|virtualservice NAME…</c> (kubectl's form; <c>sluice upstream delete</c> is glooctl's).</summary>
internal static class DeleteCommand
{
    public static Command Create(CliContext context)
    {
        var kind = KindArgument.Create();
        var names = new Argument<string[]>("name") { Description = "The objects to delete", Arity = ArgumentArity.OneOrMore };
        names.Validators.Add(KindArgument.RejectFlags);
        var storeFlags = new StoreFlags();
        names.CompletionSources.Add(ObjectNameCompletion.For(storeFlags, context, parseResult => parseResult.GetValue(kind)));
        var command = new Command("delete", "Delete objects") { kind, names };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var failed = false;
            foreach (var name in parseResult.GetValue(names) ?? [])
            {
                failed |= !await ObjectCommands.DeleteOneAsync(context, store, parseResult.GetValue(kind), name, storeFlags.Describe(parseResult, context), cancellationToken);
            }
            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
