using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Cli;

/// <summary><c>./run.sh</c>, the README's first command, when the sample backend's port is taken.</summary>
public sealed class RunScriptTests
{
    [Fact]
    public async Task Taken_sample_port_stops_with_the_promised_message_instead_of_proxying_to_the_stranger()
    {
        using var stranger = new TcpListener(IPAddress.Loopback, 0);
        stranger.Start();
        var port = ((IPEndPoint)stranger.LocalEndpoint).Port;
        var start = new ProcessStartInfo("bash", [Path.Combine(ValidateCommandTests.RepositoryRoot(), "run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SLUICE_SAMPLE_PORT"] = port.ToString(), ["SLUICE_HTTP_PORT"] = "0", ["SLUICE_ADMIN_PORT"] = "0" },
        };

        using var script = Process.Start(start)!;
        var stderr = script.StandardError.ReadToEndAsync();
        var stdout = script.StandardOutput.ReadToEndAsync();
        // It builds the CLI first (up to date here, but the machine is shared): a generous limit.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await script.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!script.HasExited)
            {
                script.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(1, script.ExitCode);
        Assert.Equal($"the sample backend did not start (is port {port} taken? set SLUICE_SAMPLE_PORT to another port)", (await stderr).Trim());
        Assert.DoesNotContain("serving", await stdout);
    }
}
