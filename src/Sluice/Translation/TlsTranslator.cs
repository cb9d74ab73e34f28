using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Reads a virtual service's <c>ssl_config</c> into a <see cref="TlsPlan"/>: the certificate and
/// key from a secret (<c>tls.crt</c>, <c>tls.key</c>, <c>tls.root</c>; Gloo 0.2's <c>ca_chain</c>
/// and <c>private_key</c> too) or from files on the gateway's disk, checked to form a usable
/// certificate before anything is served with them.
/// </summary>
internal static class TlsTranslator
{
    public static TlsPlan? Translate(SslConfig ssl, ValueList<string> domains, TranslationContext context, Diagnostics diagnostics)
    {
        string? certificate, key, clientCa;
        if (ssl.SecretRef is { } reference)
        {
            if (!context.TryGetSecret(reference, out var secret))
            {
                diagnostics.Error("ssl_config.secret_ref", $"ssl secret not found for ref {reference}");
                return null;
            }
            certificate = secret.GetValueOrDefault("tls.crt") ?? secret.GetValueOrDefault("ca_chain");
            key = secret.GetValueOrDefault("tls.key") ?? secret.GetValueOrDefault("private_key");
            clientCa = secret.GetValueOrDefault("tls.root");
            if (certificate is null)
            {
                diagnostics.Error("ssl_config.secret_ref", $"secret '{reference}' has neither tls.crt nor ca_chain");
            }
            if (key is null)
            {
                diagnostics.Error("ssl_config.secret_ref", $"secret '{reference}' has neither tls.key nor private_key");
            }
        }
        else if (ssl.SslFiles is { } files)
        {
            certificate = ReadFile(files.TlsCert, "ssl_config.ssl_files.tls_cert", context, diagnostics);
            key = ReadFile(files.TlsKey, "ssl_config.ssl_files.tls_key", context, diagnostics);
            clientCa = files.RootCa is null ? null : ReadFile(files.RootCa, "ssl_config.ssl_files.root_ca", context, diagnostics);
        }
        else
        {
            diagnostics.Error("ssl_config", "must specify either 'secret_ref' or 'ssl_files'");
            return null;
        }
        if (certificate is null || key is null || diagnostics.HasErrors)
        {
            return null;
        }

        if (!PemValidation.CertificateAndKey(certificate, key, "ssl_config", diagnostics)
            || (clientCa is not null && !PemValidation.Authorities(clientCa, "ssl_config (client CA: tls.root / root_ca)", diagnostics)))
        {
            return null;
        }
        var names = ssl.SniDomains.Count > 0
            ? VirtualServiceTranslator.NormalizeDomains(ssl.SniDomains, diagnostics)
            : domains;
        if (names.Contains("*"))
        {
            // SNI carries a name; "*" as a catch-all serves this certificate to any name (and to
            // clients sending none).
            diagnostics.Warning("ssl_config", "the virtual service matches every domain: its certificate is served for any SNI name");
        }
        return new TlsPlan { CertificatePem = certificate, KeyPem = key, ClientCaPem = clientCa, ServerNames = names };
    }

    private static string? ReadFile(string? path, string field, TranslationContext context, Diagnostics diagnostics)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            diagnostics.Error(field, "is required");
            return null;
        }
        if (!context.TryGetFile(TlsFileRefs.ForPath(path), out var bytes))
        {
            diagnostics.Error(field, $"file '{path}' could not be read");
            return null;
        }
        return System.Text.Encoding.UTF8.GetString(bytes.Span);
    }
}
