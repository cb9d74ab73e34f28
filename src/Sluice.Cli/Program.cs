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
            var command = parseResult.CommandResult.Command;
            var usage = command is RootCommand ? "sluice --help" : $"sluice {CommandPath(command)} --help";
            foreach (var error in parseResult.Errors)
            {
                context.Error($"{error.Message} (see '{usage}')");
            }
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
