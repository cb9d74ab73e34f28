using System.Diagnostics;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// Shell completion: the bash script, sourced in a real bash, completes commands and the object
/// names of the folder the line points at, by asking the built sluice (System.CommandLine's
/// suggest directive). zsh and fish are not installed here; their scripts use the same directive.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    [Fact]
    public async Task Bash_completes_commands_flags_and_object_names_from_the_store()
    {
        _config.Write("upstreams/u.yaml", "name: petstore\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9}]}\n---\nname: pets-v2\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9}]}\n---\nname: orders\ntype: static\nspec: {hosts: [{addr: 127.0.0.1, port: 9}]}\n");

        Assert.Equal(["upstream", "upstreams"], await BashCompleteAsync("sluice upstr"));
        Assert.Equal(["--path-exact", "--path-prefix", "--path-regex"], await BashCompleteAsync("sluice route add --path-"));
        Assert.Equal(["pets-v2", "petstore"], await BashCompleteAsync($"sluice upstream delete --config-dir {_config.Path} pet"));
        Assert.Equal(["orders"], await BashCompleteAsync($"sluice get us --config-dir {_config.Path} o"));
        Assert.False(Directory.Exists(Path.Combine(_config.Path, ".sluice")), "completion wrote to the folder");

        foreach (var shell in new[] { "zsh", "fish" })
        {
            var script = (await CliProcess.RunAsync("completion", shell)).AssertExit(0);
            Assert.Contains("[suggest:", script.Out, StringComparison.Ordinal);
        }
        (await CliProcess.RunAsync("completion", "powershell")).AssertExit(1);
    }

    private async Task<string[]> BashCompleteAsync(string line)
    {
        var (file, _) = SluiceProcess.Executable();
        var script = Path.Combine(_config.Path, "completion.bash");
        File.WriteAllText(script, (await CliProcess.RunAsync("completion", "bash")).AssertExit(0).Out);
        var info = new ProcessStartInfo("bash", ["-c", """
            source "$1"
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"
            [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _sluice_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """, "bash", script, line])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PATH"] = Path.GetDirectoryName(file) + ":" + info.Environment["PATH"];
        info.Environment["HOME"] = _config.Path;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    public void Dispose() => _config.Dispose();
}
