using System.Diagnostics;
using System.Text;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// A real etcd (one member) locked down as a production one is: clients must speak TLS and show
/// a certificate from the test CA (<c>--client-cert-auth</c>), and authentication is on, set up
/// with etcdctl as an operator would: user <c>root</c>, and user <c>sluice</c> whose role may
/// read and write only under <see cref="Prefix"/>.
/// </summary>
public sealed class SecuredEtcd : IAsyncLifetime
{
    public const string Prefix = "/sluice-secured/";
    public const string User = "sluice";
    public const string Password = "s3cret-pw";

    private readonly TestCertificates _certificates = new("Sluice etcd test CA");
    private readonly StringBuilder _log = new();
    private string _directory = "";
    private Process? _etcd;

    /// <summary>The client URL (by name: the server certificate names <c>localhost</c>).</summary>
    public string Endpoint { get; private set; } = "";

    public string CaFile => Path.Combine(_directory, "ca.pem");

    public string CertFile => Path.Combine(_directory, "sluice.pem");

    public string KeyFile => Path.Combine(_directory, "sluice-key.pem");

    /// <summary>A client certificate the CA never signed (its own CA).</summary>
    public string StrangerCertFile => Path.Combine(_directory, "stranger.pem");

    public string StrangerKeyFile => Path.Combine(_directory, "stranger-key.pem");

    /// <summary>The flags of the CLI and <c>sluice run</c> for this etcd, password included.</summary>
    public string[] StoreFlags =>
    [
        "--store", "etcd", "--etcd-endpoints", Endpoint, "--etcd-prefix", Prefix,
        "--etcd-ca-file", CaFile, "--etcd-cert-file", CertFile, "--etcd-key-file", KeyFile,
        "--etcd-username", User, "--etcd-password", Password,
    ];

    internal Sluice.Etcd.EtcdOptions Options(string? password = Password, string? certFile = null, string? keyFile = null, string prefix = Prefix) => new()
    {
        Endpoints = [Endpoint],
        Prefix = prefix,
        CaFile = CaFile,
        CertFile = certFile ?? CertFile,
        KeyFile = keyFile ?? KeyFile,
        Username = password is null ? null : User,
        Password = password,
        RequestTimeout = TimeSpan.FromSeconds(3),
        Debounce = TimeSpan.FromMilliseconds(20),
    };

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("sluice-etcd-tls-").FullName;
        var (serverCert, serverKey) = _certificates.Server("localhost");
        Write("ca.pem", _certificates.CaPem);
        Write("server.pem", serverCert);
        Write("server-key.pem", serverKey);
        // etcd takes the user of a certificate-only client from its CN: root administers.
        var (rootCert, rootKey) = _certificates.Client("root");
        Write("root.pem", rootCert);
        Write("root-key.pem", rootKey);
        var (cert, key) = _certificates.Client(User);
        Write("sluice.pem", cert);
        Write("sluice-key.pem", key);
        using (var stranger = new TestCertificates("Somebody else's CA"))
        {
            var (strangerCert, strangerKey) = stranger.Client(User);
            Write("stranger.pem", strangerCert);
            Write("stranger-key.pem", strangerKey);
        }

        var port = FreePorts.Next();
        var peer = FreePorts.Next();
        Endpoint = $"https://localhost:{port}";
        var info = new ProcessStartInfo("etcd",
        [
            "--name", "secured", "--data-dir", Path.Combine(_directory, "data"),
            "--listen-client-urls", $"https://127.0.0.1:{port}", "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"secured=http://127.0.0.1:{peer}",
            "--client-cert-auth", "--trusted-ca-file", CaFile,
            "--cert-file", Path.Combine(_directory, "server.pem"), "--key-file", Path.Combine(_directory, "server-key.pem"),
            "--logger", "zap", "--log-level", "warn",
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        try
        {
            _etcd = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("etcd is not installed: the etcd tests need the Debian package 'etcd-server' (test.sh installs it).", e);
        }
        _etcd.OutputDataReceived += (_, e) => Append(e.Data);
        _etcd.ErrorDataReceived += (_, e) => Append(e.Data);
        _etcd.BeginOutputReadLine();
        _etcd.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await EtcdctlAsync(check: false, "endpoint", "health")).Ok)
        {
            if (_etcd.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the secured etcd did not come up:\n{Log()}");
            }
            await Task.Delay(200);
        }
        await EtcdctlAsync(check: true, "user", "add", "root", "--new-user-password", "root-pw");
        await EtcdctlAsync(check: true, "role", "add", "sluice");
        await EtcdctlAsync(check: true, "role", "grant-permission", "sluice", "--prefix=true", "readwrite", Prefix);
        await EtcdctlAsync(check: true, "user", "add", User, "--new-user-password", Password);
        await EtcdctlAsync(check: true, "user", "grant-role", User, "sluice");
        await EtcdctlAsync(check: true, "auth", "enable");
    }

    private async Task<(bool Ok, string Output)> EtcdctlAsync(bool check, params string[] arguments)
    {
        var info = new ProcessStartInfo("etcdctl",
        [
            "--endpoints", Endpoint, "--cacert", CaFile,
            "--cert", Path.Combine(_directory, "root.pem"), "--key", Path.Combine(_directory, "root-key.pem"),
            .. arguments,
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["ETCDCTL_API"] = "3";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"etcdctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {text}\n{Log()}");
        }
        return (process.ExitCode == 0, text);
    }

    private void Write(string name, string pem) => File.WriteAllText(Path.Combine(_directory, name), pem);

    private void Append(string? line)
    {
        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async Task DisposeAsync()
    {
        if (_etcd is { } etcd)
        {
            if (!etcd.HasExited)
            {
                etcd.Kill(entireProcessTree: true);
            }
            await etcd.WaitForExitAsync();
            etcd.Dispose();
        }
        _certificates.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
