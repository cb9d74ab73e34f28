using System.CommandLine;
using System.CommandLine.Invocation;

namespace Sluice.Cli;

/// <summary>The <c>sluice</c> executable: gateway, config client, validator and demo backend.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        RuntimeDefaults.Apply();
        return RunAsync(args, Console.Out, Console.Error, Console.In, CancellationToken.None);
    }

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
            context.Error($"{DescribeParseError(parseResult, args)} (see '{Usage(parseResult.CommandResult.Command)}')");
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
    /// One line for a command line that did not parse, with the closest known word when there is
    /// one: a stray word where a command belongs ("route ad"), else an unknown flag, else a stray
    /// word (System.CommandLine also reports these as a missing subcommand or argument).
    /// </summary>
    private static string DescribeParseError(ParseResult parseResult, string[] args)
    {
        var command = parseResult.CommandResult.Command;
        var stray = parseResult.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
        // A misspelt command before a valid one ("upstrem get") parses as the valid one.
        var scope = stray is not null && args.Length > 0 && args[0] == stray ? parseResult.RootCommandResult.Command : command;
        if (stray is not null && scope.Subcommands.Count > 0)
        {
            var names = scope.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
            return scope is RootCommand
                ? $"unknown command '{stray}'{Suggest(stray, names)}"
                : $"unknown command '{CommandPath(scope)} {stray}'{Suggest(stray, names)}";
        }
        var options = OptionNames(parseResult.CommandResult);
        foreach (var token in parseResult.Tokens)
        {
            var value = token.Value;
            if (token.Type == System.CommandLine.Parsing.TokenType.Argument && value.Length > 1 && value[0] == '-' && !char.IsAsciiDigit(value[1]) && !options.Contains(value.Split('=')[0]))
            {
                return $"unknown option '{value}'{Suggest(value.Split('=')[0], options)}";
            }
        }
        if (parseResult.UnmatchedTokens.Count > 0)
        {
            return $"unknown option or argument '{parseResult.UnmatchedTokens[0]}'";
        }
        return parseResult.Errors[0].Message;
    }

    /// <summary>Every flag the command accepts, aliases included (its own and those its parents share).</summary>
    private static HashSet<string> OptionNames(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (System.CommandLine.Parsing.SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is System.CommandLine.Parsing.CommandResult { Command: var command })
            {
                foreach (var option in command.Options.Where(o => current == result || o.Recursive))
                {
                    names.Add(option.Name);
                    names.UnionWith(option.Aliases);
                }
            }
        }
        return names;
    }

    private static string Suggest(string word, IEnumerable<string> known) =>
        Api.Codec.FieldSuggestions.Closest(word.TrimStart('-'), known.Select(k => k.TrimStart('-')).Distinct().ToList()) is { } close
            ? $"; did you mean '{known.First(k => k.TrimStart('-') == close)}'?"
            : "";

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
