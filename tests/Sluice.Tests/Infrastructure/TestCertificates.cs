using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Tests.Infrastructure;

/// <summary>
/// A throwaway certificate authority made with .NET's <see cref="CertificateRequest"/>: issues
/// server certificates for names and client certificates, as PEM the way secrets hold them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public TestCertificates(string name = "Sluice Test CA")
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaPem = _ca.ExportCertificatePem();
    }

    public string CaPem { get; }

    /// <summary>A server certificate for <paramref name="names"/> (first is the CN), signed by this CA.</summary>
    public (string CertificatePem, string KeyPem) Server(params string[] names) => Issue(names, server: true);

    public (string CertificatePem, string KeyPem) Client(string name) => Issue([name], server: false);

    /// <summary>A client certificate with its key, ready for an HttpClient.</summary>
    public X509Certificate2 ClientCertificate(string name) => Loaded(Client(name));

    /// <summary>A certificate for <paramref name="name"/> with exactly these extended key usages (none: no extension).</summary>
    public X509Certificate2 CertificateWithUsages(string name, params string[] usageOids) => Loaded(Issue([name], server: false, usageOids));

    /// <summary>A server certificate with its key, ready for a Kestrel listener.</summary>
    public X509Certificate2 ServerCertificate(params string[] names) => Loaded(Server(names));

    private static X509Certificate2 Loaded((string CertificatePem, string KeyPem) pair)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(pair.CertificatePem, pair.KeyPem);
        // Exported and reloaded: TLS on Linux wants a key it can persist.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private (string, string) Issue(string[] names, bool server, string[]? usageOids = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        usageOids ??= [server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2"];
        if (usageOids.Length > 0)
        {
            var usages = new OidCollection();
            foreach (var usage in usageOids)
            {
                usages.Add(new Oid(usage));
            }
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        }
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
