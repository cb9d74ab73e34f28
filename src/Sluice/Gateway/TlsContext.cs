using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sluice.Plan;
using Sluice.Security;

namespace Sluice.Gateway;

/// <summary>
/// A certificate ready for handshakes: the server options Kestrel hands to each TLS connection
/// whose SNI name it serves, built once per certificate (not per connection) and kept across
/// reloads while its <see cref="TlsPlan"/> stays equal.
/// </summary>
internal sealed class TlsContext : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection? _clientAuthorities;

    public TlsContext(TlsPlan plan, TlsScope scope)
    {
        Plan = plan;
        Scope = scope;
        _certificate = X509Certificate2.CreateFromPem(plan.CertificatePem, plan.KeyPem);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(plan.CertificatePem);
        // The leaf is the certificate itself; whatever follows it is sent as the chain.
        var intermediates = new X509Certificate2Collection(chain.Skip(1).ToArray());
        if (plan.ClientCaPem is not null)
        {
            _clientAuthorities = [];
            _clientAuthorities.ImportFromPem(plan.ClientCaPem);
        }
        Options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, intermediates, offline: true),
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            ClientCertificateRequired = _clientAuthorities is not null,
            RemoteCertificateValidationCallback = _clientAuthorities is null ? null : ValidateClient,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SupportedProtocols,
        };
    }

    /// <summary>
    /// TLS 1.2 and 1.3 only, for clients and upstreams alike, pinned here rather than left to the
    /// platform's defaults (which an old OpenSSL configuration may widen).
    /// </summary>
    public const SslProtocols SupportedProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public TlsPlan Plan { get; }

    /// <summary>The virtual hosts a connection made with this context may reach.</summary>
    public TlsScope Scope { get; }

    public SslServerAuthenticationOptions Options { get; }

    /// <summary>
    /// mTLS: the client's certificate must chain to the configured CA, and to nothing else, and be
    /// issued for client authentication.
    /// </summary>
    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        return certificate is not null && CustomTrust.ChainsTo(_clientAuthorities!, certificate, chain, CustomTrust.ClientAuthentication);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        if (_clientAuthorities is not null)
        {
            foreach (var authority in _clientAuthorities)
            {
                authority.Dispose();
            }
        }
    }

    /// <summary>Thrown from the handshake callback: the connection is refused, nothing is served.</summary>
    public static AuthenticationException NoCertificateFor(string? serverName) =>
        new(serverName is null or "" ? "no virtual service serves TLS clients that send no server name" : $"no virtual service serves TLS for '{serverName}'");
}
