using System.CommandLine;
using Sluice.Api;
using Sluice.Cli.Admin;
using Sluice.Cli.Output;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// glooctl's object verbs: <c>sluice upstream|virtualservice create|get|update|edit|delete</c>.
/// <c>create</c> refuses a name that exists and <c>update</c> one that does not (as glooctl);
/// <c>apply</c> does either. Every write prints the verdict the gateway will give.
/// </summary>
internal static class ObjectCommands
{
    public static Command Create(CliContext context, ConfigKind kind)
    {
        var singular = KindArgument.Singular(kind);
        var command = new Command(singular, kind == ConfigKind.Upstream
            ? "Upstreams: create, get, update, edit, delete"
            : "Virtual services: create, get, update, edit, delete (routes: sluice route)");
        foreach (var alias in kind == ConfigKind.Upstream ? new[] { "upstreams", "us" } : ["virtualservices", "vs"])
        {
            command.Aliases.Add(alias);
        }
        command.Add(Write(context, kind, create: true));
        command.Add(Get(context, kind));
        command.Add(Write(context, kind, create: false));
        command.Add(EditCommand.Create(context, kind));
        command.Add(Delete(context, kind));
        return command;
    }

    private static Command Get(CliContext context, ConfigKind kind)
    {
        var names = new Argument<string[]>("name") { Description = "Objects by name (all when omitted)", Arity = ArgumentArity.ZeroOrMore };
        names.Validators.Add(KindArgument.RejectFlags);
        var output = new OutputFlags();
        var storeFlags = new StoreFlags();
        var admin = new AdminFlags();
        names.CompletionSources.Add(ObjectNameCompletion.For(storeFlags, context, _ => kind));
        var command = new Command("get", $"List {kind.Plural()} with their status") { names };
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
            return await ObjectListing.PrintAsync(context, store, kind, parseResult.GetValue(names) ?? [], choice, adminClient, cancellationToken);
        });
        return command;
    }

    /// <summary><c>create -f FILE|-</c> or <c>update -f FILE|-</c>: every document of the file, each reported on its own.</summary>
    private static Command Write(CliContext context, ConfigKind kind, bool create)
    {
        var file = new Option<string>("--filename", "-f")
        {
            Description = $"YAML or JSON with one or more {kind.Plural()} (--- separated); - reads stdin",
            HelpName = "FILE",
            Required = true,
        };
        var storeFlags = new StoreFlags();
        var command = new Command(create ? "create" : "update", create
            ? $"Create {kind.Plural()} from a file; a name that exists is an error (apply creates or updates)"
            : $"Replace {kind.Plural()} by name from a file; a resource_version in the file must be current") { file };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var text = await ApplyCommand.ReadInputAsync(context, path, cancellationToken);
            var documents = ConfigCodec.ReadDocuments(text, kind, path);
            if (documents.Count == 0)
            {
                throw new CliException($"{path}: no {kind.Plural()} found");
            }
            var failed = 0;
            var written = new List<(ConfigKind Kind, string Name, string Line)>();
            using var progress = Progress.Start(context, create ? "creating" : "updating", documents.Count);
            foreach (var document in documents)
            {
                progress.Advance();
                if (document.Object is not { } obj)
                {
                    failed++;
                    var error = document.Error ?? new ConfigError("document holds no object");
                    context.Error((error with { Source = error.Source ?? path, Line = error.Line ?? (document.StartLine > 0 ? document.StartLine : null) }).ToString());
                    continue;
                }
                var reference = KindArgument.Reference(kind, obj.Name);
                try
                {
                    if (create)
                    {
                        await store.CreateAsync(obj, cancellationToken);
                        written.Add((kind, obj.Name, $"{reference} created"));
                    }
                    else
                    {
                        await store.UpdateAsync(obj, cancellationToken);
                        written.Add((kind, obj.Name, $"{reference} updated"));
                    }
                }
                catch (StoreConflictException e) when (create)
                {
                    failed++;
                    context.Error($"{reference}: {e.Message} (update or apply replaces it)");
                }
                catch (StoreNotFoundException) when (!create)
                {
                    failed++;
                    context.Error($"{reference}: not found in {storeFlags.Describe(parseResult, context)} (create or apply adds it)");
                }
                catch (Exception e) when (e is StoreConflictException or ConfigException or InvalidOperationException)
                {
                    failed++;
                    context.Error($"{reference}: {CommandAction.Describe(e) ?? e.Message}");
                }
            }
            progress.Dispose();
            await ApplyCommand.PrintVerdictsAsync(context, store, written, cancellationToken);
            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Delete(CliContext context, ConfigKind kind)
    {
        var names = new Argument<string[]>("name") { Description = "The objects to delete", Arity = ArgumentArity.OneOrMore };
        names.Validators.Add(KindArgument.RejectFlags);
        var storeFlags = new StoreFlags();
        names.CompletionSources.Add(ObjectNameCompletion.For(storeFlags, context, _ => kind));
        var command = new Command("delete", $"Delete {kind.Plural()} by name") { names };
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
                failed |= !await DeleteOneAsync(context, store, kind, name, storeFlags.Describe(parseResult, context), cancellationToken);
            }
            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Deletes one object; a name that does not exist is an error with the closest name that does.</summary>
    internal static async Task<bool> DeleteOneAsync(CliContext context, IConfigStore store, ConfigKind kind, string name, string where, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(kind, name, cancellationToken);
        }
        catch (StoreNotFoundException)
        {
            var snapshot = await store.LoadAsync(cancellationToken);
            IEnumerable<string> known = kind == ConfigKind.Upstream ? snapshot.Upstreams.Select(u => u.Name) : snapshot.VirtualServices.Select(v => v.Name);
            context.Error($"{KindArgument.Reference(kind, name)}: not found in {where}{ObjectListing.Suggest(name, known)}");
            return false;
        }
        context.Out.WriteLine($"{KindArgument.Reference(kind, name)} deleted");
        return true;
    }
}
