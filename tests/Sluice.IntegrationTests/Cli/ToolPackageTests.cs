using System.Diagnostics;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// The README's install: <c>dotnet pack</c> makes the <c>sluice</c> tool package, and
/// <c>dotnet tool install --global --add-source DIR sluice</c> installs it for a user with a clean
/// home (its own DOTNET_CLI_HOME), whose <c>sluice version</c> then runs. The package is packed
/// from the build this test run made (--no-build), into a scratch folder.
/// </summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_in_a_clean_home_and_runs()
    {
        var scratch = Directory.CreateTempSubdirectory("sluice-tool-").FullName;
        try
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
            var project = Path.Combine(ValidateCommandTests.RepositoryRoot(), "src", "Sluice.Cli", "Sluice.Cli.csproj");
            var artifacts = Path.Combine(scratch, "artifacts");
            var home = Path.Combine(scratch, "home");
            Directory.CreateDirectory(home);

            await RunAsync(scratch, home, "dotnet", "pack", project, "-c", configuration, "--no-build", "-o", artifacts, "-nologo");
            Assert.Single(Directory.GetFiles(artifacts, "sluice.*.nupkg"));
            await RunAsync(scratch, home, "dotnet", "tool", "install", "--global", "--add-source", artifacts, "sluice");

            var sluice = Path.Combine(home, ".dotnet", "tools", "sluice");
            Assert.True(File.Exists(sluice), $"{sluice} was not installed");
            var version = await RunAsync(scratch, home, sluice, "version");
            Assert.StartsWith("sluice 0.1.0", version, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string workingDirectory, string home, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_CLI_HOME"] = home;
        info.Environment["HOME"] = home;
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
