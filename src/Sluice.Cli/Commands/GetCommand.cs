using System.CommandLine;
using Sluice.Api;
using Sluice.Cli.Output;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice get upstreams|virtualservices [NAME] [-o table|yaml|json]</c>.</summary>
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
        var output = new Option<string>("--output", "-o")
        {
            Description = "table, yaml (--- separated, full status) or json (an array; one object with NAME)",
            DefaultValueFactory = _ => "table",
            HelpName = "table|yaml|json",
        };
        output.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("table" or "yaml" or "json"))
            {
                result.AddError($"--output: '{value}' is not a format (table, yaml or json)");
            }
        });
        var storeFlags = new StoreFlags();

        var command = new Command("get", "List objects with their status") { kind, name, output };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var snapshot = await store.LoadAsync(cancellationToken);
            return Print(
                context,
                snapshot,
                parseResult.GetValue(kind),
                parseResult.GetValue(name),
                parseResult.GetValue(output) ?? "table");
        });
        return command;
    }

    private static int Print(CliContext context, ConfigSnapshot snapshot, ConfigKind kind, string? name, string format)
    {
        // A broken file hides its objects from the listing; say so, or the user hunts for them.
        var loadErrors = snapshot.LoadErrors.Where(e => Concerns(e, kind)).ToList();
        foreach (var error in loadErrors)
        {
            context.Error($"not loaded: {error}");
        }

        IReadOnlyList<IConfigObject> objects = kind == ConfigKind.Upstream ? snapshot.Upstreams : snapshot.VirtualServices;
        if (name is not null)
        {
            var found = objects.FirstOrDefault(o => o.Name == name);
            if (found is null)
            {
                var why = loadErrors.Any(e => e.ObjectName == name) ? "it failed to load (see above)" : "not found";
                throw new CliException($"{kind.DisplayName()} '{name}': {why}");
            }
            objects = [found];
        }

        switch (format)
        {
            case "yaml":
                ObjectFormatter.WriteYaml(context.Out, objects);
                break;
            case "json":
                ObjectFormatter.WriteJson(context.Out, objects, single: name is not null);
                break;
            default:
                ObjectTable.Write(context.Out, kind, objects);
                break;
        }
        return ExitCodes.Success;
    }

    /// <summary>Whether a load error belongs to this kind's listing (errors not tied to a kind always do).</summary>
    private static bool Concerns(ConfigError error, ConfigKind kind)
    {
        if (error.Kind is { } errorKind)
        {
            return errorKind == kind;
        }
        var source = error.Source?.Replace('\\', '/');
        var other = kind == ConfigKind.Upstream ? ConfigKind.VirtualService : ConfigKind.Upstream;
        return source is null || !source.StartsWith(other.Plural() + "/", StringComparison.Ordinal);
    }
}
