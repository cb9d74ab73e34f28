using System.Diagnostics;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// The built <c>sluice</c> executable run as a process, as users run it: its exit code, stdout
/// and stderr across a real process boundary. Every test shares the one build the test run made
/// (bin/CONFIG/net10.0/sluice); HOME points at an empty folder so the user's own
/// <c>~/.sluice/config.yaml</c> cannot change what a test sees.
/// </summary>
internal static class CliProcess
{
    private static readonly string EmptyHome = Directory.CreateTempSubdirectory("sluice-home-").FullName;

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    public static async Task<CliRun> RunAsync(string[] args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var (file, prefix) = SluiceProcess.Executable();
        var info = new ProcessStartInfo(file, [.. prefix, .. args])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["HOME"] = EmptyHome;
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("SLUICE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sluice {string.Join(' ', args)} did not finish:\n{await stdout}\n{await stderr}");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
