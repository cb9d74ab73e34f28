using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.Cli.Admin;
using Sluice.Cli.Output;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Cli.Commands;

/// <summary>
/// What <c>get KIND</c> and <c>upstream|virtualservice get</c> print: the objects of one kind with
/// their status, in any output format. An object whose file no longer parses is still listed:
/// Rejected, with the load error and the version that keeps serving.
/// </summary>
internal static class ObjectListing
{
    public static async Task<int> PrintAsync(
        CliContext context,
        IConfigStore store,
        ConfigKind kind,
        IReadOnlyList<string> names,
        OutputChoice output,
        AdminClient? admin,
        CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadAsync(cancellationToken);
        var loadErrors = snapshot.LoadErrors.Where(e => Concerns(e, kind)).ToList();

        // Upstreams as the gateway sees them: with what discovery found, marked as discovered.
        IReadOnlyList<IConfigObject> objects = kind == ConfigKind.Upstream
            ? [.. snapshot.Upstreams.Select(u => DiscoveredFunctions.Merge(u, snapshot.Discovered.GetValueOrDefault(u.Name), null))]
            : snapshot.VirtualServices;
        var brokenErrors = loadErrors
            .Where(e => e.ObjectName is not null && objects.All(o => o.Name != e.ObjectName))
            .DistinctBy(e => e.ObjectName)
            .ToList();
        // Errors that name no object (a file that is not YAML at all) would otherwise go unseen.
        foreach (var error in loadErrors.Where(e => e.ObjectName is null || names.Count == 0 && !brokenErrors.Contains(e) && objects.All(o => o.Name != e.ObjectName)))
        {
            context.Error($"not loaded: {error}");
        }
        if (names.Count == 0)
        {
            foreach (var error in brokenErrors)
            {
                context.Error($"not loaded: {error}");
            }
        }

        var failed = false;
        if (names.Count > 0)
        {
            var chosen = new List<IConfigObject>();
            var chosenBroken = new List<ConfigError>();
            foreach (var name in names)
            {
                if (objects.FirstOrDefault(o => o.Name == name) is { } found)
                {
                    chosen.Add(found);
                }
                else if (brokenErrors.FirstOrDefault(e => e.ObjectName == name) is { } error)
                {
                    chosenBroken.Add(error);
                }
                else
                {
                    failed = true;
                    context.Error($"{kind.DisplayName()} '{name}': not found{Suggest(name, objects.Select(o => o.Name).Concat(brokenErrors.Select(e => e.ObjectName!)))}");
                }
            }
            objects = chosen;
            brokenErrors = chosenBroken;
        }

        var broken = new List<BrokenObject>();
        foreach (var error in brokenErrors)
        {
            var (version, source) = await ServingVersionAsync(store, admin, kind, error.ObjectName!, cancellationToken);
            broken.Add(new BrokenObject(kind, error.ObjectName!, error, version, source));
        }
        if (objects.Count == 0 && broken.Count == 0 && failed)
        {
            return ExitCodes.Failure;
        }
        Write(context, kind, objects, broken, output, single: names.Count == 1);
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    public static void Write(CliContext context, ConfigKind kind, IReadOnlyList<IConfigObject> objects, IReadOnlyList<BrokenObject> broken, OutputChoice output, bool single)
    {
        var json = objects.Select(o => (JsonNode)ConfigCodec.ToJson(o)).Concat(broken.Select(BrokenJson)).ToList();
        switch (output.Format)
        {
            case "yaml":
                for (var i = 0; i < json.Count; i++)
                {
                    if (i > 0)
                    {
                        context.Out.WriteLine("---");
                    }
                    var yaml = Api.Codec.YamlText.Write(json[i]);
                    context.Out.Write(yaml.EndsWith('\n') ? yaml : yaml + "\n");
                }
                break;
            case "json":
                JsonNode node = single && json.Count == 1 ? json[0] : new JsonArray([.. json]);
                context.Out.WriteLine(node.ToJsonString(Indented));
                break;
            case "template":
                foreach (var item in json)
                {
                    var line = output.Template!.Render(item);
                    context.Out.Write(line.EndsWith('\n') ? line : line + "\n");
                }
                break;
            default:
                ObjectTable.Write(context.Out, kind, objects, broken, wide: output.Format == "wide");
                break;
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>An object that did not load, as YAML and JSON show it: its name and a Rejected status.</summary>
    private static JsonObject BrokenJson(BrokenObject item)
    {
        var status = new JsonObject { ["state"] = nameof(StatusState.Rejected), ["reason"] = "not loaded: " + (item.Error with { Kind = null, ObjectName = null }), ["loaded"] = false };
        if (item.ServingVersion is { } version)
        {
            status["serving_resource_version"] = version;
            status["serving_source"] = item.ServingSource;
        }
        return new JsonObject { ["name"] = item.Name, ["status"] = status };
    }

    /// <summary>
    /// The version still serving: the running gateway knows it exactly; without one, the file
    /// store's record says which version was last read and accepted.
    /// </summary>
    private static async Task<(string? Version, string? Source)> ServingVersionAsync(IConfigStore store, AdminClient? admin, ConfigKind kind, string name, CancellationToken cancellationToken)
    {
        if (admin is not null)
        {
            try
            {
                var json = await admin.GetJsonAsync($"/api/v1/{kind.Plural()}/{Uri.EscapeDataString(name)}", cancellationToken);
                if (json?["status"]?["serving_resource_version"]?.GetValue<string>() is { } serving)
                {
                    return (serving, $"gateway at {admin.BaseUri.GetLeftPart(UriPartial.Authority)}");
                }
            }
            catch (AdminUnreachableException)
            {
                // No gateway to ask: fall back to the store's own record.
            }
        }
        if (store is FileStore files)
        {
            var record = new ObjectRecordStore(Path.Combine(files.ConfigDirectory, ".sluice")).Read(kind, name);
            if (record is { Status.State: StatusState.Accepted or StatusState.Warning })
            {
                return (record.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), "last accepted, per the store's record");
            }
        }
        return (null, null);
    }

    /// <summary>"; did you mean 'x'?" for a name close to one that exists, else "".</summary>
    public static string Suggest(string name, IEnumerable<string> known) =>
        Api.Codec.FieldSuggestions.Closest(name, known.Distinct().ToList()) is { } close ? $"; did you mean '{close}'?" : "";

    /// <summary>Whether a load error belongs to this kind's listing (errors not tied to a kind always do).</summary>
    internal static bool Concerns(ConfigError error, ConfigKind kind)
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
