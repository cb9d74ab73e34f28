using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary><c>ssl_files</c>: certificate files on the gateway's disk, picked up again when they change.</summary>
public sealed class TlsFileRotationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-tls-files-").FullName;
    private readonly TestCertificates _authority = new();
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    private string CertificateFile => Path.Combine(_dir, "certs", "files.crt");

    private string KeyFile => Path.Combine(_dir, "certs", "files.key");

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        Directory.CreateDirectory(Path.Combine(_dir, "certs"));
        WriteCertificate();
        Directory.CreateDirectory(Path.Combine(_dir, "upstreams"));
        Directory.CreateDirectory(Path.Combine(_dir, "virtualservices"));
        File.WriteAllText(Path.Combine(_dir, "upstreams", "backend.yaml"), TestConfig.Upstream("backend", _backend.Port));
        File.WriteAllText(Path.Combine(_dir, "virtualservices", "files.yaml"), $$"""
            name: files
            domains: [files.example.com]
            ssl_config: { ssl_files: { tls_cert: {{CertificateFile}}, tls_key: {{KeyFile}} } }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir), output: output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Rewritten_certificate_files_are_served_to_new_connections()
    {
        using var first = new TlsClient(_gateway.Options.HttpsPort, _authority);
        await first.GetEchoAsync("files.example.com", "/");
        var before = first.ServerCertificate!.SerialNumber;

        WriteCertificate();
        // The files live outside the config folder: they are checked every 2 s.
        var deadline = DateTime.UtcNow.AddSeconds(6);
        while (true)
        {
            using var fresh = new TlsClient(_gateway.Options.HttpsPort, _authority);
            await fresh.GetEchoAsync("files.example.com", "/");
            if (fresh.ServerCertificate!.SerialNumber != before)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the rewritten certificate files were not picked up within 6 s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Relative_paths_resolve_against_the_config_folder_not_the_working_directory()
    {
        var (certificate, key) = _authority.Server("relative.example.com");
        File.WriteAllText(Path.Combine(_dir, "certs", "relative.crt"), certificate);
        File.WriteAllText(Path.Combine(_dir, "certs", "relative.key"), key);
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "certs", "relative.crt")));
        File.WriteAllText(Path.Combine(_dir, "virtualservices", "relative.yaml"), """
            name: relative
            domains: [relative.example.com]
            ssl_config: { ssl_files: { tls_cert: certs/relative.crt, tls_key: ./certs/relative.key } }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TlsClient(_gateway.Options.HttpsPort, _authority);
                await client.GetEchoAsync("relative.example.com", "/");
                Assert.Contains("relative.example.com", client.ServerCertificate!.Subject);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or System.Security.Authentication.AuthenticationException or IOException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private void WriteCertificate()
    {
        var (certificate, key) = _authority.Server("files.example.com");
        File.WriteAllText(CertificateFile, certificate);
        File.WriteAllText(KeyFile, key);
    }
}
