using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice upstream|virtualservice edit NAME</c>: the object as YAML in <c>$EDITOR</c> (else
/// <c>$VISUAL</c>, else <c>vi</c>), saved only when it reads back as a valid object the gateway
/// would accept. An invalid edit reopens with the error on top, as kubectl does; saving it again
/// unchanged gives up, saves nothing and exits 1. The resource version read is the one written,
/// so an edit never overwrites a change made meanwhile.
/// </summary>
internal static class EditCommand
{
    private const string ErrorMarker = "# error: ";

    public static Command Create(CliContext context, ConfigKind kind)
    {
        var name = new Argument<string>("name") { Description = $"The {kind.DisplayName()} to edit" };
        name.Validators.Add(KindArgument.RejectFlags);
        var storeFlags = new StoreFlags();
        name.CompletionSources.Add(ObjectNameCompletion.For(storeFlags, context, _ => kind));
        var command = new Command("edit", $"Edit a {kind.DisplayName()} in $EDITOR; invalid edits are not saved") { name };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var objectName = parseResult.GetRequiredValue(name);
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            return await EditAsync(context, store, kind, objectName, cancellationToken);
        });
        return command;
    }

    private static async Task<int> EditAsync(CliContext context, IConfigStore store, ConfigKind kind, string name, CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadAsync(cancellationToken);
        IReadOnlyList<IConfigObject> objects = kind == ConfigKind.Upstream ? snapshot.Upstreams : snapshot.VirtualServices;
        var reference = KindArgument.Reference(kind, name);
        if (objects.FirstOrDefault(o => o.Name == name) is not { } current)
        {
            if (snapshot.LoadErrors.FirstOrDefault(e => e.Kind == kind && e.ObjectName == name) is { } error)
            {
                throw new CliException($"{reference} does not load, so it cannot be edited as an object: {error}; fix its source directly");
            }
            throw new CliException($"{reference}: not found{ObjectListing.Suggest(name, objects.Select(o => o.Name))}");
        }

        // Status is the gateway's, not the user's; the resource version stays to catch a race.
        var original = Header(reference) + ConfigCodec.ToYaml(current switch
        {
            Upstream u => u with { Status = null },
            VirtualService v => v with { Status = null },
            _ => current,
        });
        var path = Path.Combine(Path.GetTempPath(), $"sluice-edit-{KindArgument.Singular(kind)}-{FileNames.Escape(name)}-{Guid.NewGuid():N}.yaml");
        var text = original;
        string? lastInvalid = null;
        try
        {
            while (true)
            {
                await File.WriteAllTextAsync(path, text, cancellationToken);
                await RunEditorAsync(context, path, cancellationToken);
                var edited = await File.ReadAllTextAsync(path, cancellationToken);
                var body = WithoutErrorHeader(edited);
                if (body.Trim().Length == 0 || body.Split('\n').All(l => l.TrimStart().StartsWith('#') || l.Trim().Length == 0))
                {
                    context.Out.WriteLine($"{reference}: edit cancelled (empty file), nothing saved");
                    return ExitCodes.Success;
                }
                if (body == WithoutErrorHeader(original))
                {
                    context.Out.WriteLine($"{reference} unchanged");
                    return ExitCodes.Success;
                }
                var problem = Check(snapshot, kind, name, body, out var obj);
                if (problem is null)
                {
                    try
                    {
                        await store.UpdateAsync(obj!, cancellationToken);
                    }
                    catch (StoreConflictException e)
                    {
                        var kept = path + ".rejected";
                        File.Copy(path, kept, overwrite: true);
                        throw new CliException($"{reference}: {e.Message}; your edit is kept in {kept}");
                    }
                    context.Out.WriteLine($"{reference} edited");
                    return ExitCodes.Success;
                }
                if (body == lastInvalid)
                {
                    // Saved again without a change: the user gives up (kubectl's rule).
                    var kept = path + ".rejected";
                    File.Copy(path, kept, overwrite: true);
                    context.Error($"{reference}: {problem}");
                    context.Error($"nothing saved; your edit is kept in {kept}");
                    return ExitCodes.Failure;
                }
                lastInvalid = body;
                context.Err.WriteLine($"{reference}: {problem} (reopening the editor)");
                text = ErrorHeader(problem) + body;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Null when the edit is a valid object of the same name that the gateway would not reject; otherwise why.</summary>
    private static string? Check(ConfigSnapshot snapshot, ConfigKind kind, string name, string text, out IConfigObject? obj)
    {
        obj = null;
        var documents = ConfigCodec.ReadDocuments(text, kind, "edit");
        if (documents.Count != 1)
        {
            return documents.Count == 0 ? "no object in the file" : $"one {kind.DisplayName()} expected, found {documents.Count} documents";
        }
        if (documents[0].Error is { } error)
        {
            return (error with { Source = null }).ToString();
        }
        obj = documents[0].Object!;
        if (obj.Name != name)
        {
            return $"the name cannot change (was '{name}', now '{obj.Name}'); create a new object instead";
        }
        // The verdict the gateway would give, judged on the store's config with this edit in it.
        var edited = obj;
        var candidate = kind == ConfigKind.Upstream
            ? snapshot with { Upstreams = new ValueList<Upstream>(snapshot.Upstreams.Select(u => u.Name == name ? (Upstream)edited : u)) }
            : snapshot with { VirtualServices = new ValueList<VirtualService>(snapshot.VirtualServices.Select(v => v.Name == name ? (VirtualService)edited : v)) };
        var verdict = OfflineTranslation.Judge(candidate).FirstOrDefault(r => r.Kind == kind && r.Name == name)?.Status;
        return verdict is { State: StatusState.Rejected } ? $"would be Rejected: {verdict.Reason}" : null;
    }

    private static async Task RunEditorAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        var editor = context.Environment("EDITOR") is { Length: > 0 } e ? e : context.Environment("VISUAL") is { Length: > 0 } v ? v : "vi";
        // Through the shell, as git and kubectl do, so EDITOR may carry arguments ("code --wait").
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe", ["/c", $"{editor} \"{path}\""])
            : new ProcessStartInfo("/bin/sh", ["-c", editor + " \"$1\"", "sh", path]);
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new CliException($"could not start the editor '{editor}'");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new CliException($"the editor '{editor}' exited with code {process.ExitCode}; nothing saved");
        }
    }

    private static string Header(string reference) =>
        $"# Editing {reference}. Save and close to apply it; an empty file cancels.\n# Lines starting with '#' are ignored; status is the gateway's and is not shown.\n";

    private static string ErrorHeader(string problem)
    {
        var text = new StringBuilder();
        foreach (var line in problem.Split('\n'))
        {
            text.Append(ErrorMarker).Append(line.TrimEnd('\r')).Append('\n');
        }
        text.Append("# Fix it and save; save it unchanged to give up.\n#\n");
        return text.ToString();
    }

    /// <summary>The text without the error lines this command put on top.</summary>
    private static string WithoutErrorHeader(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        var skip = 0;
        while (skip < lines.Count && (lines[skip].StartsWith(ErrorMarker, StringComparison.Ordinal) || lines[skip] is "# Fix it and save; save it unchanged to give up." or "#"))
        {
            skip++;
        }
        return string.Join('\n', lines.Skip(skip));
    }
}
