using Spectre.Console;

namespace Sluice.Cli.Output;

/// <summary>A plain table in <c>get</c>'s look (no borders, columns three apart), for other listings.</summary>
internal static class RowTable
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table { Border = TableBorder.None };
        for (var i = 0; i < headers.Count; i++)
        {
            table.AddColumn(new TableColumn(headers[i]) { NoWrap = i == 0, Padding = i == headers.Count - 1 ? new Padding(0, 0, 0, 0) : new Padding(0, 0, 3, 0) });
        }
        foreach (var row in rows)
        {
            // Text, not Markup: names and sources may contain [brackets].
            table.AddRow([.. row.Select(cell => new Text(cell))]);
        }
        ObjectTable.Render(writer, table);
    }
}
