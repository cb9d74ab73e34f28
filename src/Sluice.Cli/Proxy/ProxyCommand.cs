using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Cli.Admin;
using Sluice.Cli.Output;

namespace Sluice.Cli.Proxy;

/// <summary>
/// <c>sluice proxy url</c> (where the running gateway serves traffic) and <c>sluice proxy stats</c>
/// (its live counters from <c>/metrics</c>), as later glooctl had them. Both ask the admin API.
/// </summary>
internal static class ProxyCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("proxy", "The running gateway: its address and live counters (asks the admin API)");
        command.Add(Url(context));
        command.Add(Stats(context));
        return command;
    }

    private static Command Url(CliContext context)
    {
        var admin = new AdminFlags();
        var all = new Option<bool>("--all") { Description = "Every listener (http, https, h2c), one per line" };
        var command = new Command("url", "Print the gateway's traffic URL (http, else https)") { all, admin.Url };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            using var client = admin.Open(parseResult, context);
            var listeners = await client.GetJsonAsync(ListenersEndpoint.Path, cancellationToken) as JsonObject
                ?? throw new CliException($"{client.BaseUri} does not list its listeners (a sluice older than this CLI?)");
            var urls = new List<(string Name, string Url)>();
            foreach (var (name, scheme) in new[] { ("http", "http"), ("https", "https"), ("h2c", "http") })
            {
                if (listeners[name] is JsonObject listener)
                {
                    urls.Add((name, ListenersEndpoint.Url(scheme, listener["bind"]!.GetValue<string>(), listener["port"]!.GetValue<int>(), client.BaseUri)));
                }
            }
            if (urls.Count == 0)
            {
                throw new CliException($"the gateway at {client.BaseUri} serves no traffic (a controller, or every traffic port is 0)");
            }
            if (parseResult.GetValue(all))
            {
                RowTable.Write(context.Out, ["LISTENER", "URL"], urls.Select(u => (IReadOnlyList<string>)[u.Name, u.Url]));
            }
            else
            {
                context.Out.WriteLine(urls[0].Url);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Stats(CliContext context)
    {
        var admin = new AdminFlags();
        var raw = new Option<bool>("--raw") { Description = "The Prometheus exposition text as served" };
        var filter = new Option<string?>("--filter") { Description = "Only metrics whose name contains this", HelpName = "TEXT" };
        var command = new Command("stats", "Print the gateway's live counters and gauges (from /metrics)") { raw, filter, admin.Url };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            using var client = admin.Open(parseResult, context);
            var text = await client.GetTextAsync("/metrics", cancellationToken) ?? throw new CliException($"{client.BaseUri} has no /metrics");
            if (parseResult.GetValue(raw))
            {
                context.Out.Write(text);
                return ExitCodes.Success;
            }
            var only = parseResult.GetValue(filter);
            RowTable.Write(context.Out, ["METRIC", "LABELS", "VALUE"], Samples(text)
                .Where(s => only is null || s.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
                .Select(s => (IReadOnlyList<string>)[s.Name, s.Labels, s.Value]));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Counters and gauges from the Prometheus text format, and each histogram's count; the
    /// buckets and sums are for a dashboard, not for a glance.
    /// </summary>
    internal static IEnumerable<(string Name, string Labels, string Value)> Samples(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 4)
                {
                    types[parts[2]] = parts[3];
                }
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0)
            {
                continue;
            }
            var name = brace > 0 && brace < space ? line[..brace] : line[..space].Trim();
            var labels = brace > 0 && brace < space ? line[(brace + 1)..line.LastIndexOf('}', space)] : "";
            var value = line[(space + 1)..].Trim();
            var family = types.ContainsKey(name) ? name
                : name.EndsWith("_count", StringComparison.Ordinal) ? name[..^"_count".Length]
                : null;
            if (family is null || !types.TryGetValue(family, out var type))
            {
                continue;
            }
            if (type is "counter" or "gauge" || type is "histogram" or "summary" && name.EndsWith("_count", StringComparison.Ordinal))
            {
                yield return (name, labels, double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString("0.###", CultureInfo.InvariantCulture) : value);
            }
        }
    }
}
