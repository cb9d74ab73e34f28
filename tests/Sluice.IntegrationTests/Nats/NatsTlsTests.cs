using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// A nats-server that requires TLS, with a certificate from a private CA: the client upgrades
/// after INFO, and trusts the server only through the CA given in the secret (<c>tls.root</c>).
/// </summary>
public sealed class NatsTlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Tls_server_is_reached_with_the_private_root_and_refused_without_it()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-nats-tls-").FullName;
        try
        {
            var (rootPem, certPath, keyPath) = await WriteCertificatesAsync(directory);
            await using var nats = await NatsServer.StartAsync($$"""
                tls { cert_file: "{{certPath}}", key_file: "{{keyPath}}" }
                """);
            var logs = new RecordingLoggerProvider(output);
            await using var gateway = await GatewayFixture.StartAsync(logs: logs);
            gateway.Store.SetSecrets(new Dictionary<string, ValueMap> { ["nats-ca"] = new([new("tls.root", rootPem)]) });
            await gateway.ApplyAsync($$"""
                name: trusted
                type: static
                spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
                service_info: { type: nats, properties: { secret_ref: nats-ca } }
                ---
                name: untrusted
                type: static
                spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
                service_info: { type: nats, properties: { op_timeout: 500ms } }
                ---
                name: default
                routes:
                - request_matcher: { path_prefix: /trusted }
                  single_destination: { function: { upstream_name: trusted, function_name: tls.ok } }
                - request_matcher: { path_prefix: /untrusted }
                  single_destination: { function: { upstream_name: untrusted, function_name: tls.ok } }
                """);

            using var trusted = await gateway.Client.PostAsync("/trusted", new StringContent("x"));
            Assert.True(trusted.StatusCode == HttpStatusCode.OK, await trusted.Content.ReadAsStringAsync());
            using var untrusted = await gateway.Client.PostAsync("/untrusted", new StringContent("x"));
            var text = await untrusted.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, untrusted.StatusCode);
            Assert.Equal("nats_unavailable", untrusted.Headers.GetValues("x-sluice-error").Single());
            Assert.Contains("not connected to NATS", text);
            Assert.Contains(logs.Lines, line => line.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A CA and a server certificate for 127.0.0.1 it signed, as PEM files.</summary>
    private static async Task<(string RootPem, string CertPath, string KeyPath)> WriteCertificatesAsync(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Sluice Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);

        var certPath = Path.Combine(directory, "server.crt");
        var keyPath = Path.Combine(directory, "server.key");
        await File.WriteAllTextAsync(certPath, server.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return (ca.ExportCertificatePem(), certPath, keyPath);
    }
}
