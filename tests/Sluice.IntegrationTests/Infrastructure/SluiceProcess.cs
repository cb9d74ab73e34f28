using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// The built <c>sluice</c> executable running <c>sluice run …</c> as a real process on loopback
/// ports: what operators run, so signals (SIGKILL, SIGTERM) and process boundaries are real.
/// </summary>
internal sealed class SluiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    private readonly string[] _arguments;
    private readonly StringBuilder _output = new();
    private readonly List<string> _errorLines = [];
    private Process? _process;

    private SluiceProcess(string name, int? httpPort, int? http2Port, int adminPort, string[] arguments)
    {
        Name = name;
        HttpPort = httpPort;
        Http2Port = http2Port;
        AdminPort = adminPort;
        _arguments = arguments;
    }

    public string Name { get; }

    public int? HttpPort { get; }

    /// <summary>Cleartext HTTP/2 (h2c, prior knowledge).</summary>
    public int? Http2Port { get; }

    public int AdminPort { get; }

    /// <summary>The running process's id (for /proc, signals).</summary>
    public int Id => _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");

    /// <summary>
    /// Every error or critical line (<c>fail:</c>, <c>crit:</c>) and unhandled exception the
    /// process printed since it started, kept whole while <see cref="Output"/> keeps only the tail.
    /// </summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_output)
            {
                return [.. _errorLines];
            }
        }
    }

    public string Admin => $"http://127.0.0.1:{AdminPort}";

    public string Traffic => $"http://127.0.0.1:{HttpPort}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>sluice run --role ROLE</c> with <paramref name="arguments"/> (the store flags) on fresh ports.</summary>
    public static SluiceProcess Start(string name, string role, params string[] arguments)
    {
        var admin = FreePorts.Next();
        int? http = role == "controller" ? null : FreePorts.Next();
        int? h2c = role == "controller" ? null : FreePorts.Next();
        string[] all =
        [
            "run", "--role", role, "--bind", "127.0.0.1", "--http-port", Text(http ?? 0),
            "--https-port", "0", "--http2-port", Text(h2c ?? 0), "--admin-port", Text(admin), .. arguments,
        ];
        var process = new SluiceProcess(name, http, h2c, admin, all);
        process.Launch();
        return process;
    }

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Starts the same command line again (same ports) after a kill.</summary>
    public void Launch()
    {
        var (file, prefix) = Executable();
        var info = new ProcessStartInfo(file, [.. prefix, .. _arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no goodbye, no lease handed back.</summary>
    public async Task KillAsync()
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

    /// <summary>SIGTERM, as an orchestrator stops a process, and waits for it to exit; returns its exit code (-1 when it was not running).</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process is not { } process)
        {
            return -1;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(timeout);
        _process = null;
        var exitCode = process.ExitCode;
        process.Dispose();
        return exitCode;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (first configuration applied).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync(Admin + "/readyz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary><c>/readyz/detail</c> as JSON.</summary>
    public async Task<JsonElement> DetailAsync()
    {
        using var response = await Http.GetAsync(Admin + "/readyz/detail");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public Task<string> AdminGetAsync(string path) => Http.GetStringAsync(Admin + path);

    /// <summary>Status code of a request through the gateway's traffic port (0 when refused).</summary>
    public async Task<int> StatusOfAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(Traffic + path);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    /// <summary>The apphost built beside the CLI (bin/CONFIG/TFM/sluice), else <c>dotnet Sluice.Cli.dll</c>.</summary>
    internal static (string File, string[] Prefix) Executable()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = tfm.Parent!.Name;
        var apphost = Path.Combine(ValidateCommandTests.RepositoryRoot(), "src", "Sluice.Cli", "bin", configuration, tfm.Name, "sluice");
        return File.Exists(apphost) ? (apphost, []) : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "Sluice.Cli.dll")]);
    }

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Append(string? line)
    {
        lock (_output)
        {
            // The console logger's level prefixes, and the runtime's last words.
            if (line is not null && (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
                || line.Contains("Unhandled exception", StringComparison.Ordinal)))
            {
                _errorLines.Add(line);
            }
            if (_output.Length > 64 * 1024)
            {
                _output.Remove(0, 32 * 1024);
            }
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
