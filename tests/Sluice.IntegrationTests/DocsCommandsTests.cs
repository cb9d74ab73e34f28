using System.Diagnostics;
using System.Text.RegularExpressions;
using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests;

/// <summary>
/// Every <c>sluice</c> command shown in a code block of the README or of an example's README runs,
/// in order, against a fresh copy of <c>examples/</c>, and exits as documented: 0, unless its
/// comment says "exit code N". The steps the prose asks for first come along: a YAML block after
/// "Save this as `PATH`" is saved there, and <c>sed -i</c> lines are run. <c>sluice run</c> and
/// <c>sluice sample-backend</c> serve until stopped: the run and examples tests cover them. A block
/// that first points the CLI at a live store (<c>export SLUICE_STORE=…</c>), and a command with
/// <c>--store etcd|kubernetes</c>, work against a cluster the reader runs: the etcd tests (a real
/// cluster) and the Kubernetes tests (a fake API server) run those verbs instead.
/// </summary>
public sealed partial class DocsCommandsTests
{
    public static TheoryData<string> Documents()
    {
        var root = ValidateCommandTests.RepositoryRoot();
        var documents = new TheoryData<string> { "README.md" };
        foreach (var readme in Directory.GetFiles(Path.Combine(root, "examples"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            documents.Add(Path.GetRelativePath(root, readme).Replace('\\', '/'));
        }
        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Documented_commands_exit_as_documented(string document)
    {
        var root = ValidateCommandTests.RepositoryRoot();
        var copy = Directory.CreateTempSubdirectory("sluice-docs-").FullName;
        try
        {
            Copy(Path.Combine(root, "examples"), Path.Combine(copy, "examples"));
            foreach (var step in Steps(File.ReadAllText(Path.Combine(root, document))))
            {
                switch (step)
                {
                    case Save save:
                        File.WriteAllText(Path.Combine(copy, save.Path), save.Text);
                        break;
                    case Shell shell:
                        using (var process = Process.Start(new ProcessStartInfo("bash", ["-c", shell.Line]) { WorkingDirectory = copy })!)
                        {
                            await process.WaitForExitAsync();
                            Assert.True(process.ExitCode == 0, $"{document}: `{shell.Line}` exited {process.ExitCode}");
                        }
                        break;
                    case Command command:
                        var args = command.Args.Select(a => a.StartsWith("examples/", StringComparison.Ordinal) ? Path.Combine(copy, a) : a).ToArray();
                        var run = await CliRun.RunAsync(args);
                        Assert.True(
                            run.ExitCode == command.ExpectedExit,
                            $"{document}: `sluice {string.Join(' ', command.Args)}` exited {run.ExitCode}, documented {command.ExpectedExit}\nstdout:\n{run.Out}\nstderr:\n{run.Err}");
                        break;
                }
            }
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void The_readme_shows_commands_to_check()
    {
        var steps = Steps(File.ReadAllText(Path.Combine(ValidateCommandTests.RepositoryRoot(), "README.md"))).ToList();
        Assert.Contains(steps, s => s is Command { Args: ["validate", ..] });
        Assert.Contains(steps, s => s is Save);
    }

    private abstract record Step;

    private sealed record Save(string Path, string Text) : Step;

    private sealed record Shell(string Line) : Step;

    private sealed record Command(string[] Args, int ExpectedExit) : Step;

    private static IEnumerable<Step> Steps(string markdown)
    {
        string? saveTo = null;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (SaveThisAs().Match(lines[i]) is { Success: true } save)
            {
                saveTo = save.Groups[1].Value;
            }
            if (!lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }
            var language = lines[i][3..].Trim();
            var block = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                block.Add(lines[i]);
            }
            if (language == "yaml")
            {
                if (saveTo is not null)
                {
                    yield return new Save(saveTo, string.Join('\n', block) + "\n");
                    saveTo = null;
                }
                continue;
            }
            if (block.Any(l => l.TrimStart().StartsWith("export SLUICE_STORE=", StringComparison.Ordinal)))
            {
                continue;
            }
            foreach (var line in block.Select(l => l.Trim()))
            {
                if (line.StartsWith("sed -i ", StringComparison.Ordinal))
                {
                    yield return new Shell(line);
                }
                else if (line.StartsWith("sluice ", StringComparison.Ordinal) && Words(line) is [_, var verb, ..] words && verb is not ("run" or "sample-backend")
                    && !line.Contains("--store etcd", StringComparison.Ordinal) && !line.Contains("--store kubernetes", StringComparison.Ordinal))
                {
                    var exit = ExitCode().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;
                    yield return new Command(words[1..], exit);
                }
            }
        }
    }

    /// <summary>Shell words up to a comment, with '…' and "…" quoting.</summary>
    private static string[] Words(string line) =>
        Word().Matches(line).TakeWhile(m => !m.Value.StartsWith('#')).Select(m => m.Value.Trim('\'', '"')).ToArray();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var folder in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) != ".sluice"))
        {
            Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    [GeneratedRegex(@"Save this as `([^`]+)`")]
    private static partial Regex SaveThisAs();

    [GeneratedRegex(@"#.*\bexit code (\d+)")]
    private static partial Regex ExitCode();

    [GeneratedRegex(@"'[^']*'|""[^""]*""|\S+")]
    private static partial Regex Word();
}
