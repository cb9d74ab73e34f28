using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Cli.Output;
using Sluice.Translation;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice function get [-u UPSTREAM] [-o table|json]</c>: every function routes can target, the
/// user's and the discovered ones (merged as the gateway merges them), with where each came from.
/// </summary>
internal static class FunctionCommand
{
    public static Command Create(CliContext context)
    {
        var upstreamOption = new Option<string?>("--upstream", "-u") { Description = "Only this upstream's functions", HelpName = "UPSTREAM" };
        var output = new Option<string>("--output", "-o") { Description = "table or json", DefaultValueFactory = _ => "table", HelpName = "table|json" };
        output.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not ("table" or "json") and var value)
            {
                result.AddError($"--output: '{value}' is not a format (table or json)");
            }
        });
        var configDir = ConfigDirOption.Create();
        var get = new Command("get", "List functions, the user's and the discovered ones, with their source") { upstreamOption, output, configDir };
        CommandAction.Set(get, context, async (parseResult, cancellationToken) =>
        {
            var dir = ConfigDirOption.ResolveExisting(parseResult, configDir, context);
            var snapshot = await Stores.OpenFilesReadOnly(dir).LoadAsync(cancellationToken);
            var only = parseResult.GetValue(upstreamOption);
            var upstreams = snapshot.Upstreams.Where(u => only is null || u.Name == only).ToList();
            if (only is not null && upstreams.Count == 0)
            {
                throw new CliException($"upstream '{only}' not found");
            }
            var rows = upstreams
                .SelectMany(u => DiscoveredFunctions.Merge(u, snapshot.Discovered.GetValueOrDefault(u.Name), null).Functions.Select(f => (Upstream: u.Name, Function: f)))
                .ToList();
            if (parseResult.GetValue(output) == "json")
            {
                var array = new JsonArray();
                foreach (var (upstream, function) in rows)
                {
                    array.Add(new JsonObject
                    {
                        ["upstream"] = upstream,
                        ["name"] = function.Name,
                        ["origin"] = function.Discovered is null ? "user" : "discovered",
                        ["source"] = function.Discovered?.Source,
                        ["discovered_at"] = function.Discovered?.DiscoveredAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        ["spec"] = JsonNode.Parse(function.Spec.Root.GetRawText()),
                    });
                }
                context.Out.WriteLine(array.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }
            RowTable.Write(context.Out, ["UPSTREAM", "FUNCTION", "ORIGIN", "SOURCE", "DISCOVERED"], rows.Select(r => (IReadOnlyList<string>)
            [
                r.Upstream,
                r.Function.Name,
                r.Function.Discovered is null ? "user" : "discovered",
                r.Function.Discovered?.Source ?? "",
                r.Function.Discovered?.DiscoveredAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "",
            ]));
            return ExitCodes.Success;
        });
        return new Command("function", "Functions of upstreams (written by users or found by discovery)") { get };
    }
}
