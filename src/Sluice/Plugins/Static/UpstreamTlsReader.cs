using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Static;

/// <summary>
/// Reads <c>spec.tls</c> in its object form: <c>sni</c>, <c>root_ca</c> (a ref into the store's
/// files: the only CA the upstream's certificate may chain to) and <c>secret_ref</c> (a secret
/// with <c>tls.crt</c>/<c>tls.key</c>, the gateway's client certificate, and optionally
/// <c>tls.root</c> as the CA).
/// </summary>
internal static class UpstreamTlsReader
{
    public static (string? ServerName, UpstreamTlsPlan? Plan) Read(SpecReader tls, TranslationContext context, Diagnostics diagnostics)
    {
        var serverName = tls.String("sni");
        var rootCaRef = tls.String("root_ca");
        var secretRef = tls.String("secret_ref");
        tls.WarnUnknownKeys();

        string? rootCa = null, certificate = null, key = null;
        if (rootCaRef is not null)
        {
            if (context.TryGetFile(rootCaRef, out var bytes))
            {
                rootCa = System.Text.Encoding.UTF8.GetString(bytes.Span);
            }
            else
            {
                diagnostics.Error("spec.tls.root_ca", $"file '{rootCaRef}' not found (files live in the config folder's files/)");
            }
        }
        if (secretRef is not null)
        {
            if (!context.TryGetSecret(secretRef, out var secret))
            {
                diagnostics.Error("spec.tls.secret_ref", $"secret '{secretRef}' not found");
            }
            else
            {
                certificate = secret.GetValueOrDefault("tls.crt");
                key = secret.GetValueOrDefault("tls.key");
                rootCa ??= secret.GetValueOrDefault("tls.root");
                if ((certificate is null) != (key is null))
                {
                    diagnostics.Error("spec.tls.secret_ref", $"secret '{secretRef}' must hold both tls.crt and tls.key, or neither");
                }
            }
        }
        if (serverName is not null && Uri.CheckHostName(serverName) != UriHostNameType.Dns)
        {
            diagnostics.Error("spec.tls.sni", $"'{serverName}' is not a host name");
        }
        if (rootCa is not null)
        {
            PemValidation.Authorities(rootCa, "spec.tls (root CA)", diagnostics);
        }
        if (certificate is not null && key is not null)
        {
            PemValidation.CertificateAndKey(certificate, key, "spec.tls.secret_ref", diagnostics);
        }
        var plan = rootCa is null && certificate is null
            ? null
            : new UpstreamTlsPlan { RootCaPem = rootCa, ClientCertificatePem = certificate, ClientKeyPem = key };
        return (serverName, plan);
    }
}
