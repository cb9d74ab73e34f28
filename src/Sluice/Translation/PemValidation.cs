using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.Translation;

/// <summary>Checks PEM material before anything is served with it, with the reason when it fails.</summary>
internal static class PemValidation
{
    /// <summary>A certificate (leaf first) with its private key.</summary>
    public static bool CertificateAndKey(string certificatePem, string keyPem, string field, Diagnostics diagnostics)
    {
        try
        {
            // Throws when the key does not belong to the certificate.
            using var certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            if (certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            {
                diagnostics.Warning(field, $"the certificate expired on {certificate.NotAfter.ToUniversalTime():u}");
            }
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            diagnostics.Error(field, $"the certificate and key do not form a usable certificate: {e.Message}");
            return false;
        }
    }

    /// <summary>One or more CA certificates.</summary>
    public static bool Authorities(string pem, string field, Diagnostics diagnostics)
    {
        try
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(pem);
            var count = authorities.Count;
            foreach (var authority in authorities)
            {
                authority.Dispose();
            }
            if (count == 0)
            {
                diagnostics.Error(field, "holds no PEM certificate");
            }
            return count > 0;
        }
        catch (CryptographicException e)
        {
            diagnostics.Error(field, $"is not PEM certificates: {e.Message}");
            return false;
        }
    }
}
