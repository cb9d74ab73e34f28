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

    /// <param name="notLoaded">Objects the store names but could not load: shown Rejected, with the load error.</param>
    public static void Write(TextWriter writer, ConfigKind kind, IReadOnlyList<IConfigObject> objects, IReadOnlyList<ConfigError> notLoaded)
    {
        // kubectl's look (no borders, columns three spaces apart) rather than a box: it greps well.
        var table = new Table { Border = TableBorder.None };
        table.AddColumn(new TableColumn("NAME") { NoWrap = true, Padding = ColumnGap });
        table.AddColumn(new TableColumn(kind == ConfigKind.Upstream ? "TYPE" : "DOMAINS") { Padding = ColumnGap });
        table.AddColumn(new TableColumn("STATUS") { NoWrap = true, Padding = ColumnGap });
        table.AddColumn(new TableColumn("REASON") { Padding = new Padding(0, 0, 0, 0) });

        foreach (var obj in objects)
        {
            var second = obj switch
            {
                Upstream upstream => upstream.Type,
                VirtualService vs => vs.Domains.Count == 0 ? "*" : string.Join(", ", vs.Domains),
                _ => "",
            };
            var status = obj.Status ?? Api.Status.Pending;
            // Text, not Markup: names and reasons may contain [brackets].
            table.AddRow(new Text(obj.Name), new Text(second), new Text(status.State.ToString()), new Text(ShortReason(status.Reason)));
        }
        foreach (var error in notLoaded)
        {
            var reason = "not loaded: " + (error with { Kind = null, ObjectName = null });
            table.AddRow(new Text(error.ObjectName!), new Text("?"), new Text(nameof(StatusState.Rejected)), new Text(ShortReason(reason)));
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
