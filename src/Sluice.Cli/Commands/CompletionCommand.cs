using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice completion bash|zsh|fish</c>: a script that asks sluice itself what may come next,
/// through System.CommandLine's <c>[suggest:POSITION]</c> directive. Commands, flags, their
/// values and object names (read from the store the line points at) all complete the same way in
/// every shell, and the scripts never go stale when a command is added.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish", HelpName = "bash|zsh|fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script: source <(sluice completion bash)") { shell };
        CommandAction.Set(command, context, (parseResult, _) =>
        {
            context.Out.Write(parseResult.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            });
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private const string Bash = """
        # sluice completion for bash: source <(sluice completion bash), or save it in
        # /etc/bash_completion.d/sluice.
        _sluice_complete() {
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(sluice "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _sluice_complete sluice

        """;

    private const string Zsh = """
        #compdef sluice
        # sluice completion for zsh: source <(sluice completion zsh), or save it as _sluice on $fpath.
        _sluice() {
            local -a candidates
            candidates=("${(@f)$(sluice "[suggest:${#${BUFFER[1,CURSOR]}}]" "${BUFFER}" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _sluice sluice

        """;

    private const string Fish = """
        # sluice completion for fish: sluice completion fish > ~/.config/fish/completions/sluice.fish
        function __sluice_complete
            set -l line (commandline -cp)
            sluice "[suggest:"(string length -- $line)"]" "$line" 2>/dev/null
        end
        complete -c sluice -f -a '(__sluice_complete)'

        """;
}
