using System.CommandLine;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice apply -f FILE|-</c>: creates each object, or updates it when the name exists.
/// A document that does not parse is reported with its line and the others still go through.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Option<string>("--filename", "-f")
        {
            Description = "YAML or JSON file with upstreams and virtual services (--- separated, or Gloo's {upstreams: [], virtual_services: []}); - reads stdin",
            HelpName = "FILE",
            Required = true,
        };
        var storeFlags = new StoreFlags();
        var command = new Command("apply", "Create or update objects from a file") { file };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var text = await ReadInputAsync(context, path, cancellationToken);
            var documents = ConfigCodec.ReadMixedDocuments(text, path);
            return await ApplyAsync(context, store, documents, path, cancellationToken);
        });
        return command;
    }

    internal static async Task<string> ReadInputAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await context.In.ReadToEndAsync(cancellationToken);
        }
        if (Directory.Exists(path))
        {
            throw new CliException($"{path}: is a directory; apply takes a file (validate takes a directory)");
        }
        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file");
        }
        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    internal static async Task<int> ApplyAsync(
        CliContext context,
        IConfigStore store,
        IReadOnlyList<DecodedDocument> documents,
        string source,
        CancellationToken cancellationToken)
    {
        var failed = 0;
        if (documents.Count == 0)
        {
            throw new CliException($"{source}: no objects found");
        }

        // One listing up front decides create vs update; a race with another writer still ends
        // in a clear conflict from the store rather than a lost write.
        var snapshot = await store.LoadAsync(cancellationToken);
        var existing = new Dictionary<(ConfigKind, string), IConfigObject>();
        foreach (var obj in snapshot.Upstreams.Cast<IConfigObject>().Concat(snapshot.VirtualServices))
        {
            existing[(obj.Kind, obj.Name)] = obj;
        }

        var applied = new List<(ConfigKind Kind, string Name, string Line)>();
        using var progress = Output.Progress.Start(context, "applying", documents.Count);
        foreach (var document in documents)
        {
            progress.Advance();
            if (document.Object is not { } obj)
            {
                failed++;
                context.Error(Locate(document, source).ToString());
                continue;
            }
            var reference = KindArgument.Reference(obj.Kind, obj.Name);
            try
            {
                if (!existing.TryGetValue((obj.Kind, obj.Name), out var current))
                {
                    existing[(obj.Kind, obj.Name)] = await store.CreateAsync(obj, cancellationToken);
                    applied.Add((obj.Kind, obj.Name, $"{reference} created"));
                }
                else if (SameContent(current, obj))
                {
                    applied.Add((obj.Kind, obj.Name, $"{reference} unchanged"));
                }
                else
                {
                    existing[(obj.Kind, obj.Name)] = await store.UpdateAsync(obj, cancellationToken);
                    applied.Add((obj.Kind, obj.Name, $"{reference} configured"));
                }
            }
            catch (Exception e) when (e is StoreConflictException or StoreNotFoundException or ConfigException)
            {
                failed++;
                context.Error($"{reference}: {CommandAction.Describe(e)}");
            }
            catch (InvalidOperationException e)
            {
                // The store refuses an edit it cannot make safely (e.g. it would touch a user's
                // other documents in a shared file); that is about this object only.
                failed++;
                context.Error($"{reference}: {e.Message}");
            }
        }
        progress.Dispose();
        await PrintVerdictsAsync(context, store, applied, cancellationToken);
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// "created" is not the whole story when the object is rejected: each line gets the verdict
    /// the gateway will give (judged offline on what the store now holds) unless it is Accepted.
    /// </summary>
    internal static async Task PrintVerdictsAsync(CliContext context, IConfigStore store, List<(ConfigKind Kind, string Name, string Line)> applied, CancellationToken cancellationToken)
    {
        if (applied.Count == 0)
        {
            return;
        }
        var verdicts = OfflineTranslation.Judge(await store.LoadAsync(cancellationToken)).ToDictionary(r => (r.Kind, r.Name), r => r.Status);
        foreach (var (kind, name, line) in applied)
        {
            var status = verdicts.GetValueOrDefault((kind, name));
            context.Out.WriteLine(status is null || status.State == StatusState.Accepted ? line : $"{line}, {status.State}: {status.Reason}");
        }
    }

    /// <summary>Equal apart from what the store and the reporter own: status and resource version.</summary>
    internal static bool SameContent(IConfigObject a, IConfigObject b) => (Strip(a), Strip(b)) switch
    {
        (Upstream x, Upstream y) => x == y,
        (VirtualService x, VirtualService y) => x == y,
        _ => false,
    };

    private static IConfigObject Strip(IConfigObject obj) => obj switch
    {
        Upstream u => u with { Status = null, Metadata = u.Metadata with { ResourceVersion = null } },
        VirtualService vs => vs with { Status = null, Metadata = vs.Metadata with { ResourceVersion = null } },
        _ => obj,
    };

    /// <summary>The document's error with its file and line filled in when the codec left them out.</summary>
    private static ConfigError Locate(DecodedDocument document, string source)
    {
        var error = document.Error ?? new ConfigError("document holds no object");
        return error with
        {
            Source = error.Source ?? source,
            Line = error.Line ?? (document.StartLine > 0 ? document.StartLine : null),
            Kind = error.Kind ?? document.Kind,
            ObjectName = error.ObjectName ?? document.Name,
        };
    }
}
