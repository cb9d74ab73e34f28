using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Security;

/// <summary>
/// Certificate checks against configured CAs only (a private root for mTLS clients, an upstream,
/// a NATS server), not the machine's trust store.
/// </summary>
internal static class CustomTrust
{
    /// <summary>The <c>clientAuth</c> extended key usage (RFC 5280 §4.2.1.12).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/>,
    /// using the intermediates the peer presented in <paramref name="presented"/>. With
    /// <paramref name="requiredUsage"/>, the certificate must also name that extended key usage
    /// itself: a certificate without the extension (valid for "any purpose" by RFC 5280) is
    /// refused, so a CA's server certificates cannot pass as its clients.
    /// </summary>
    public static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate certificate, X509Chain? presented, string? requiredUsage = null)
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
        if (requiredUsage is not null)
        {
            if (!NamesUsage(leaf, requiredUsage))
            {
                return false;
            }
            // Intermediates that restrict their usages must allow it too.
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(requiredUsage));
        }
        return chain.Build(leaf);
    }

    private static bool NamesUsage(X509Certificate2 certificate, string usage)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension enhanced)
            {
                foreach (var oid in enhanced.EnhancedKeyUsages)
                {
                    if (oid.Value == usage)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
