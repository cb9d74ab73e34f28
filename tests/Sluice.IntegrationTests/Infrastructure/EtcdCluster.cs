using System.Diagnostics;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A real three-member etcd cluster (Debian package <c>etcd-server</c>) on loopback ports below
/// the ephemeral range, data in a temporary folder. Members can be killed and restarted, one
/// or all, to test what clients do meanwhile. A missing binary fails the test with the reason
/// (test.sh installs the package).
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _directory;
    private readonly Member[] _members;

    private EtcdCluster(string directory, Member[] members)
    {
        _directory = directory;
        _members = members;
    }

    /// <summary>Client URLs, one per member, e.g. <c>http://127.0.0.1:23791</c>.</summary>
    public IReadOnlyList<string> Endpoints => _members.Select(m => m.ClientUrl).ToArray();

    /// <summary>The endpoints as the <c>--etcd-endpoints</c> flag takes them.</summary>
    public string EndpointList => string.Join(',', Endpoints);

    public static async Task<EtcdCluster> StartAsync(int size = 3)
    {
        var binary = FindBinary("etcd") ?? throw new InvalidOperationException(
            "etcd is not installed: the etcd tests need the Debian package 'etcd-server' (test.sh installs it with apt-get).");
        var directory = Directory.CreateTempSubdirectory("sluice-etcd-").FullName;
        var members = Enumerable.Range(1, size)
            .Select(i => new Member($"m{i}", FreePorts.Next(), FreePorts.Next(), Path.Combine(directory, $"m{i}")))
            .ToArray();
        var initial = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
        foreach (var member in members)
        {
            member.Arguments =
            [
                "--name", member.Name, "--data-dir", member.DataDir,
                "--listen-client-urls", member.ClientUrl, "--advertise-client-urls", member.ClientUrl,
                "--listen-peer-urls", member.PeerUrl, "--initial-advertise-peer-urls", member.PeerUrl,
                "--initial-cluster", initial, "--initial-cluster-state", "new",
                "--initial-cluster-token", Path.GetFileName(directory),
                "--logger", "zap", "--log-level", "warn",
            ];
            member.Binary = binary;
        }
        var cluster = new EtcdCluster(directory, members);
        try
        {
            foreach (var member in members)
            {
                member.Start();
            }
            await WaitHealthyAsync(members);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills one member (SIGKILL: its clients see their connections drop).</summary>
    public Task KillAsync(int index) => _members[index].KillAsync();

    /// <summary>Waits until the running members have a leader again (after a kill, an election takes a moment).</summary>
    public Task WaitQuorumAsync() => WaitHealthyAsync(_members.Where(m => m.IsRunning));

    public async Task RestartAsync(int index)
    {
        var member = _members[index];
        await member.KillAsync();
        member.Start();
        await WaitHealthyAsync([member]);
    }

    public async Task KillAllAsync()
    {
        foreach (var member in _members)
        {
            await member.KillAsync();
        }
    }

    public async Task StartAllAsync()
    {
        foreach (var member in _members.Where(m => !m.IsRunning))
        {
            member.Start();
        }
        await WaitHealthyAsync(_members);
    }

    /// <summary>Waits until every given member answers <c>/health</c> with a leader and a quorum.</summary>
    private static async Task WaitHealthyAsync(IEnumerable<Member> members)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var member in members)
        {
            while (true)
            {
                if (member.HasExited(out var output))
                {
                    throw new InvalidOperationException($"etcd member {member.Name} exited:\n{output}");
                }
                try
                {
                    var health = await Http.GetStringAsync(member.ClientUrl + "/health");
                    if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                if (DateTime.UtcNow > deadline)
                {
                    member.HasExited(out var log);
                    throw new TimeoutException($"etcd member {member.Name} was not healthy within 60 s:\n{log}");
                }
                await Task.Delay(100);
            }
        }
    }

    private static string? FindBinary(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        await KillAllAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private sealed class Member(string name, int clientPort, int peerPort, string dataDir)
    {
        private readonly StringBuilder _output = new();
        private Process? _process;

        public string Name { get; } = name;

        public string ClientUrl { get; } = $"http://127.0.0.1:{clientPort}";

        public string PeerUrl { get; } = $"http://127.0.0.1:{peerPort}";

        public string DataDir { get; } = dataDir;

        public string Binary { get; set; } = "";

        public string[] Arguments { get; set; } = [];

        public bool IsRunning => _process is { HasExited: false };

        public void Start()
        {
            var info = new ProcessStartInfo(Binary, Arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
        }

        public bool HasExited(out string output)
        {
            lock (_output)
            {
                output = _output.ToString();
            }
            return _process is null || _process.HasExited;
        }

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

        private void Append(string? line)
        {
            lock (_output)
            {
                // The last lines are what explains a failure; keep the buffer small.
                if (_output.Length > 64 * 1024)
                {
                    _output.Remove(0, 32 * 1024);
                }
                _output.AppendLine(line);
            }
        }
    }
}
