using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A real <c>nats-server</c> process on a free loopback port, JetStream on, storing into a
/// temporary folder. Restartable on the same port and store, to test reconnection. A missing
/// binary fails the test with the reason (test.sh installs the Debian package).
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _configPath;
    private Process? _process;

    private NatsServer(int port, string directory, string configPath)
    {
        Port = port;
        _directory = directory;
        _configPath = configPath;
    }

    public int Port { get; }

    /// <summary>
    /// Starts a server; <paramref name="extraConfig"/> is appended to its config file (auth,
    /// limits). <paramref name="jetStream"/> false starts it without JetStream.
    /// </summary>
    public static async Task<NatsServer> StartAsync(string extraConfig = "", bool jetStream = true)
    {
        if (FindBinary() is null)
        {
            throw new InvalidOperationException(
                "nats-server is not installed: the NATS tests need the Debian package 'nats-server' (test.sh installs it with apt-get).");
        }
        // A port reported free can be taken by someone else before nats-server binds it: try anew.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var directory = Directory.CreateTempSubdirectory("sluice-nats-").FullName;
            var configPath = Path.Combine(directory, "nats.conf");
            var server = new NatsServer(port, directory, configPath);
            await server.WriteConfigAsync(extraConfig, jetStream);
            try
            {
                await server.RunAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Kills the process (no graceful shutdown: clients see the connection drop).</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>SIGSTOP: the process stays, its sockets stay open, and nothing answers (a hung server).</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await RunAsync();
    }

    /// <summary>Replaces the server with one on the same port, JetStream on or off as asked.</summary>
    public async Task RestartAsync(bool jetStream, string extraConfig = "")
    {
        await StopAsync();
        await WriteConfigAsync(extraConfig, jetStream);
        await RunAsync();
    }

    private Task WriteConfigAsync(string extraConfig, bool jetStream) => File.WriteAllTextAsync(_configPath, $$"""
        listen: "127.0.0.1:{{Port}}"
        {{(jetStream ? $"jetstream {{ store_dir: \"{Path.Combine(_directory, "store")}\" }}" : "")}}
        {{extraConfig}}
        """);

    private async Task RunAsync()
    {
        var info = new ProcessStartInfo(FindBinary()!, ["-c", _configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var output = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                lock (output)
                {
                    throw new InvalidOperationException($"nats-server exited with {process.ExitCode}:\n{output}");
                }
            }
            if (await AnswersInfoAsync())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nats-server did not listen on port {Port} within 15 s.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A server is up once it greets a new connection with INFO.</summary>
    private async Task<bool> AnswersInfoAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var buffer = new byte[4];
            var stream = client.GetStream();
            var read = 0;
            while (read < 4)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    return false;
                }
                read += n;
            }
            return Encoding.ASCII.GetString(buffer) == "INFO";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindBinary()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(directory, "nats-server");
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
