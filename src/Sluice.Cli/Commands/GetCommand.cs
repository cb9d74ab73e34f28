using System.CommandLine;
using Sluice.Cli.Admin;
using Sluice.Cli.Output;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice get upstreams|virtualservices [NAME] [-o table|wide|yaml|json] [--template T]</c>,
/// kubectl's form; <c>sluice upstream get</c> is glooctl's. Reading never writes: the file store
/// is opened read-only.
/// </summary>
internal static class GetCommand
{
    public static Command Create(CliContext context)
    {
        var kind = KindArgument.Create();
        var name = new Argument<string?>("name")
        {
            Description = "One object by name (all when omitted)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        name.Validators.Add(KindArgument.RejectFlags);
        var output = new OutputFlags();
        var storeFlags = new StoreFlags();
        var admin = new AdminFlags();
        name.CompletionSources.Add(ObjectNameCompletion.For(storeFlags, context, parseResult => parseResult.GetValue(kind)));
        var command = new Command("get", "List objects with their status") { kind, name };
        foreach (var option in output.All.Concat(storeFlags.All).Append(admin.Url))
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var choice = output.Resolve(parseResult);
            var store = storeFlags.OpenForReading(parseResult, context);
            using var disposable = store as IDisposable;
            using var adminClient = admin.Open(parseResult, context);
            var objectName = parseResult.GetValue(name);
            return await ObjectListing.PrintAsync(context, store, parseResult.GetValue(kind), objectName is null ? [] : [objectName], choice, adminClient, cancellationToken);
        });
        return command;
    }
}
