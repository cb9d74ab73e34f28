using Sluice.Cli;

namespace Sluice.IntegrationTests.Cli;

/// <summary>What one in-process <c>sluice</c> invocation printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Err)
{
    public static async Task<CliRun> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public static async Task<CliRun> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var exitCode = await Program.RunAsync(args, stdout, stderr, input);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Fails with everything printed, so a broken test explains itself.</summary>
    public CliRun AssertExit(int expected)
    {
        Assert.True(ExitCode == expected, $"exit code {ExitCode}, expected {expected}\nstdout:\n{Out}\nstderr:\n{Err}");
        return this;
    }

    /// <summary>User mistakes end in one clear line, never a stack trace.</summary>
    public CliRun AssertNoStackTrace()
    {
        Assert.DoesNotContain("   at ", Err);
        Assert.DoesNotContain("Exception", Err);
        return this;
    }
}
