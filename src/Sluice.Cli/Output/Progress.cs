using Spectre.Console;

namespace Sluice.Cli.Output;

/// <summary>
/// A progress bar on stderr for operations over many items (apply, create, migrate), drawn with
/// Spectre.Console only when stderr is a terminal and there are enough items to wait for; pipes,
/// logs and tests get nothing extra. Spectre's own <c>Progress</c> runs the work inside a callback,
/// which does not fit commands that stream output; this draws a one-line bar itself.
/// </summary>
internal sealed class Progress : IDisposable
{
    /// <summary>Fewer items finish before a bar is worth drawing.</summary>
    private const int Threshold = 20;

    private readonly IAnsiConsole? _console;
    private readonly string _what;
    private readonly int _total;
    private int _done;

    private Progress(IAnsiConsole? console, string what, int total)
    {
        _console = console;
        _what = what;
        _total = total;
    }

    public static Progress Start(CliContext context, string what, int total) =>
        new(context.ErrIsTerminal && total >= Threshold
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            : null, what, total);

    public void Advance()
    {
        _done++;
        if (_console is null)
        {
            return;
        }
        const int width = 30;
        var filled = _total == 0 ? width : _done * width / _total;
        _console.Markup($"\r[blue]{Markup.Escape(_what)}[/] [green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/] {_done}/{_total}");
    }

    public void Dispose()
    {
        if (_console is not null && _done > 0)
        {
            // Clear the bar so the lines after it start clean.
            _console.Write("\r" + new string(' ', Math.Min(Console.BufferWidth - 1, 60)) + "\r");
            _done = 0;
        }
    }
}
