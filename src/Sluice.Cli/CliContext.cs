namespace Sluice.Cli;

/// <summary>The streams and environment one invocation uses, so tests can run commands in-process.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> environment)
{
    public TextWriter Out { get; } = stdout;

    public TextWriter Err { get; } = stderr;

    public TextReader In { get; } = stdin;

    /// <summary>Reads an environment variable (a dictionary in tests).</summary>
    public Func<string, string?> Environment { get; } = environment;

    public void Error(string message) => Err.WriteLine($"error: {message}");
}
