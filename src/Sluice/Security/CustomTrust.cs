using System.Security.Cryptography.X509Certificates;

namespace Sluice.Security;

/// <summary>
/// Certificate checks against configured CAs only (a private root for mTLS clients, an upstream,
/// a NATS server), not the machine's trust store.
/// </summary>
internal static class CustomTrust
{
    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/>,
    /// using the intermediates the peer presented in <paramref name="presented"/>.
    /// </summary>
    public static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(e => e.Certificate).ToArray());
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
