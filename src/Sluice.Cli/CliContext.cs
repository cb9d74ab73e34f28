using Sluice.Cli.Config;

namespace Sluice.Cli;

/// <summary>The streams and environment one invocation uses, so tests can run commands in-process.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> environment)
{
    private CliDefaults? _defaults;

    public TextWriter Out { get; } = stdout;

    public TextWriter Err { get; } = stderr;

    public TextReader In { get; } = stdin;

    /// <summary>Reads an environment variable (a dictionary in tests).</summary>
    public Func<string, string?> Environment { get; } = environment;

    /// <summary><c>~/.sluice/config.yaml</c>, read on first use (a command that needs no flag never reads it).</summary>
    public CliDefaults Defaults => _defaults ??= CliDefaults.Load(Environment);

    /// <summary>
    /// True when stderr is the process's own and a terminal: only then is progress drawn, so pipes,
    /// logs and tests get plain lines.
    /// </summary>
    public bool ErrIsTerminal => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;

    public void Error(string message) => Err.WriteLine($"error: {message}");
}
