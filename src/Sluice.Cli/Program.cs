using System.CommandLine;
using System.CommandLine.Invocation;

namespace Sluice.Cli;

/// <summary>The <c>sluice</c> executable: gateway, config client, validator and demo backend.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, Console.In, CancellationToken.None);

    /// <summary>
    /// Runs one command line with the given streams; the exit code is the result. Tests call this
    /// in-process. User mistakes end as one <c>error:</c> line on <paramref name="stderr"/> and exit
    /// code 1, never as a stack trace.
    /// </summary>
    internal static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        TextReader? stdin = null,
        CancellationToken cancellationToken = default)
    {
        var context = new CliContext(stdout, stderr, stdin ?? TextReader.Null, Environment.GetEnvironmentVariable);
        var root = SluiceCommand.Create(context);

        // A bare `sluice` is a request for help, not a mistake.
        var parseResult = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            context.Error($"{DescribeParseError(parseResult)} (see '{Usage(parseResult.CommandResult.Command)}')");
            return ExitCodes.Failure;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Commands map the errors users cause; anything else is a bug and should show its trace.
            EnableDefaultExceptionHandler = false,
            // `run` drains in-flight requests on Ctrl+C/SIGTERM; give it time before the process is killed.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>
    /// One line for a command line that did not parse. A stray word also makes System.CommandLine
    /// complain about the missing subcommand; the stray word is the real mistake, so it wins.
    /// </summary>
    private static string DescribeParseError(ParseResult parseResult)
    {
        if (parseResult.UnmatchedTokens.Count > 0)
        {
            var token = parseResult.UnmatchedTokens[0];
            return parseResult.CommandResult.Command is RootCommand
                ? $"unknown command '{token}'"
                : $"unknown option or argument '{token}'";
        }
        return parseResult.Errors[0].Message;
    }

    private static string Usage(Command command) =>
        command is RootCommand ? "sluice --help" : $"sluice {CommandPath(command)} --help";

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c and not RootCommand; symbol = c.Parents.FirstOrDefault())
        {
            names.Add(c.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
