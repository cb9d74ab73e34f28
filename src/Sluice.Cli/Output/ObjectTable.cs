using Sluice.Api;
using Spectre.Console;

namespace Sluice.Cli.Output;

/// <summary>The default <c>get</c> output: one row per object, NAME, TYPE or DOMAINS, STATUS, REASON.</summary>
internal static class ObjectTable
{
    /// <summary>Longer reasons are cut here; <c>-o yaml</c> shows them whole.</summary>
    internal const int MaxReasonLength = 100;

    private static readonly Padding ColumnGap = new(0, 0, 3, 0);

    /// <summary>Width used when the output is not a terminal (a pipe, a file, a test).</summary>
    private const int RedirectedWidth = 160;

    /// <param name="broken">Objects the store names but could not load: shown Rejected, with the load error and the version still serving.</param>
    /// <param name="wide">More columns: version, functions or routes, TLS.</param>
    public static void Write(TextWriter writer, ConfigKind kind, IReadOnlyList<IConfigObject> objects, IReadOnlyList<BrokenObject> broken, bool wide = false)
    {
        // kubectl's look (no borders, columns three spaces apart) rather than a box: it greps well.
        var table = new Table { Border = TableBorder.None };
        var headers = new List<string> { "NAME", kind == ConfigKind.Upstream ? "TYPE" : "DOMAINS" };
        if (wide)
        {
            headers.AddRange(kind == ConfigKind.Upstream ? ["FUNCTIONS", "VERSION"] : ["SSL", "ROUTES", "VERSION"]);
        }
        headers.AddRange(["STATUS", "REASON"]);
        for (var i = 0; i < headers.Count; i++)
        {
            table.AddColumn(new TableColumn(headers[i])
            {
                NoWrap = headers[i] is "NAME" or "STATUS" or "VERSION",
                Padding = i == headers.Count - 1 ? new Padding(0, 0, 0, 0) : ColumnGap,
            });
        }

        foreach (var obj in objects)
        {
            var cells = new List<string>
            {
                obj.Name,
                obj switch
                {
                    Upstream upstream => upstream.Type,
                    VirtualService vs => vs.Domains.Count == 0 ? "*" : string.Join(", ", vs.Domains),
                    _ => "",
                },
            };
            if (wide)
            {
                cells.AddRange(obj switch
                {
                    Upstream u => [u.Functions.Count == 0 ? "-" : string.Join(", ", u.Functions.Select(f => f.Name)), obj.Metadata.ResourceVersion ?? "-"],
                    VirtualService v => [v.SslConfig is null ? "-" : v.SslConfig.SecretRef is { } secret ? $"secret {secret}" : "files",
                        v.Routes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), obj.Metadata.ResourceVersion ?? "-"],
                    _ => [],
                });
            }
            var status = obj.Status ?? Api.Status.Pending;
            cells.AddRange([status.State.ToString(), ShortReason(status.Reason)]);
            // Text, not Markup: names and reasons may contain [brackets].
            table.AddRow([.. cells.Select(c => new Text(c))]);
        }
        foreach (var item in broken)
        {
            var cells = new List<string> { item.Name, "?" };
            if (wide)
            {
                cells.AddRange(kind == ConfigKind.Upstream ? ["?", item.ServingVersion ?? "-"] : ["?", "?", item.ServingVersion ?? "-"]);
            }
            cells.AddRange([nameof(StatusState.Rejected), ShortReason(item.Reason)]);
            table.AddRow([.. cells.Select(c => new Text(c))]);
        }

        Render(writer, table);
    }

    /// <summary>The first line of a reason, cut to <see cref="MaxReasonLength"/> characters.</summary>
    internal static string ShortReason(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return "";
        }
        var newline = reason.IndexOfAny(['\r', '\n']);
        var cut = newline >= 0 || reason.Length > MaxReasonLength;
        var line = newline >= 0 ? reason[..newline] : reason;
        if (line.Length > MaxReasonLength)
        {
            line = line[..MaxReasonLength];
        }
        return cut ? line.TrimEnd() + "… (-o yaml for all)" : line;
    }

    /// <summary>
    /// Renders without colour into a buffer and writes the lines with trailing padding removed,
    /// so output compares and greps cleanly. A terminal's width is used when there is one.
    /// </summary>
    internal static void Render(TextWriter writer, Table table)
    {
        var terminal = new AnsiConsoleOutput(writer);
        using var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(buffer),
        });
        console.Profile.Width = terminal.IsTerminal ? terminal.Width : RedirectedWidth;
        console.Write(table);
        foreach (var line in buffer.ToString().Split('\n'))
        {
            if (line.TrimEnd() is { Length: > 0 } text)
            {
                writer.WriteLine(text);
            }
        }
    }
}
