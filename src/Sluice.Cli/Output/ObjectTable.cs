using Sluice.Api;
using Spectre.Console;

namespace Sluice.Cli.Output;

/// <summary>The default <c>get</c> output: one row per object, NAME, TYPE or DOMAINS, STATUS, REASON.</summary>
internal static class ObjectTable
{
    /// <summary>Longer reasons are cut here; <c>-o yaml</c> shows them whole.</summary>
    internal const int MaxReasonLength = 100;

    /// <summary>Width used when the output is not a terminal (a pipe, a file, a test).</summary>
    private const int RedirectedWidth = 160;

    public static void Write(TextWriter writer, ConfigKind kind, IReadOnlyList<IConfigObject> objects)
    {
        var table = new Table { Border = TableBorder.Simple };
        table.AddColumn(new TableColumn("NAME") { NoWrap = true });
        table.AddColumn(new TableColumn(kind == ConfigKind.Upstream ? "TYPE" : "DOMAINS"));
        table.AddColumn(new TableColumn("STATUS") { NoWrap = true });
        table.AddColumn(new TableColumn("REASON"));

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

        CreateConsole(writer).Write(table);
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

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var output = new AnsiConsoleOutput(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = output.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = output.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = output,
        });
        if (!output.IsTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }
        return console;
    }
}
