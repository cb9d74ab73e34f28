using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sluice.Cli;
using Sluice.Cli.SampleBackend;

namespace Sluice.IntegrationTests.Cli;

/// <summary><c>sluice run</c> end to end: real listeners, the sample backend behind them.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task Run_ServesConfigFolder_UntilCancelled()
    {
        await using var backend = await SampleBackendServer.StartAsync(IPAddress.Loopback, 0, CancellationToken.None);
        _config.Write("upstreams/sample.yaml", Manifests.Upstream("sample", backend.Address.Port));
        _config.Write("virtualservices/default.yaml", """
            name: default
            routes:
            - request_matcher: { path_prefix: /api }
              single_destination: { upstream: { name: sample } }
              prefix_rewrite: /
            """);
        var port = FreePort();

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Program.RunAsync(
            ["run", "--config-dir", _config.Path, "--bind", "127.0.0.1", "--http-port", port.ToString(),
             "--http2-port", "0", "--https-port", "0", "--admin-port", "0"],
            TextWriter.Synchronized(stdout),
            TextWriter.Synchronized(stderr),
            cancellationToken: stop.Token);

        using var client = new HttpClient();
        var body = await PollAsync(client, new Uri($"http://127.0.0.1:{port}/api/things"), run);
        using (var echo = JsonDocument.Parse(body))
        {
            Assert.Equal("/things", echo.RootElement.GetProperty("path").GetString());
        }

        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exitCode);
        Assert.Contains($"http on 127.0.0.1:{port}", stdout.ToString());
        Assert.Single(stdout.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Run_PortInUse_OneLineExit1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = (await CliRun.RunAsync(
            "run", "--config-dir", _config.Path, "--bind", "127.0.0.1", "--http-port", port.ToString(),
            "--http2-port", "0", "--admin-port", "0")).AssertExit(1).AssertNoStackTrace();

        Assert.Equal(
            $"error: --http-port {port}: the port is already in use by another process (choose another with --http-port, or 0 to turn it off)",
            run.Err.Trim());
    }

    [Fact]
    public async Task Run_AccessLogInAMissingFolder_NamesTheFlagAndTheFolder()
    {
        var path = System.IO.Path.Combine(_config.Path, "no-such-folder", "access.log");

        var run = (await CliRun.RunAsync("run", "--config-dir", _config.Path, "--access-log", path)).AssertExit(1).AssertNoStackTrace();

        Assert.Equal(
            $"error: --access-log {path}: the folder '{System.IO.Path.GetDirectoryName(path)}' does not exist (create it, or write the log elsewhere)",
            run.Err.Trim());
    }

    [Fact]
    public async Task Run_PositionalFolder_IsTheConfigDir()
    {
        var missing = System.IO.Path.Combine(_config.Path, "typo");

        var run = (await CliRun.RunAsync("run", missing, "--http-port", "0")).AssertExit(1).AssertNoStackTrace();
        var twice = (await CliRun.RunAsync("run", _config.Path, "--config-dir", missing)).AssertExit(1);

        Assert.Equal($"error: config directory '{missing}' does not exist (set it with --config-dir or SLUICE_CONFIG_DIR)", run.Err.Trim());
        Assert.Equal($"error: the config folder is given twice: '{_config.Path}' and --config-dir '{missing}'", twice.Err.Trim());
        Assert.Equal(_config.Path, Sluice.Cli.Commands.RunCommand.ParseOptions([_config.Path], _ => null).ConfigDir);
    }

    /// <summary>Asks until the gateway has its first plan (or the run ends early, which fails).</summary>
    private static async Task<string> PollAsync(HttpClient client, Uri uri, Task<int> run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(run.IsCompleted, $"sluice run ended early with exit code {(run.IsCompleted ? run.Result : 0)}");
            try
            {
                var response = await client.GetAsync(uri);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"no 200 from {uri} within 30 s");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
