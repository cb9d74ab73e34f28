using System.Diagnostics;
using Sluice.IntegrationTests.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// <c>examples/nats-webhook/tools/create-stream.sh</c>, which stands in for the <c>nats</c> CLI
/// (no Debian package) in that example, against a real nats-server.
/// </summary>
public sealed class CreateStreamScriptTests
{
    [Fact]
    public async Task Creates_the_stream_and_fails_loudly_without_jetstream()
    {
        await using var nats = await NatsServer.StartAsync();

        var (exit, stdout) = await RunAsync(nats.Port);
        Assert.Equal(0, exit);
        Assert.Contains("\"did_create\":true", stdout);
        Assert.Contains("\"name\":\"WEBHOOKS\"", stdout);

        await nats.StopAsync();
        var (down, _) = await RunAsync(nats.Port);
        Assert.NotEqual(0, down);
    }

    private static async Task<(int Exit, string Stdout)> RunAsync(int port)
    {
        var script = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", "nats-webhook", "tools", "create-stream.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, "127.0.0.1", port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout);
    }
}
