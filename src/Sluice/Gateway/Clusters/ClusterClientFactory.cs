using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Sluice.Plan;
using Sluice.Security;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// Makes a cluster's pooled HTTP client, and says when the last one can be kept: while the
/// settings the connections were made with are equal (as YARP's <c>ForwarderHttpClientFactory.CanReuseOldClient</c>).
/// Endpoints, functions, load balancing and health settings are not among them.
/// </summary>
internal static class ClusterClientFactory
{
    public static HttpMessageInvoker Create(ClusterPlan plan) => new(CreateHandler(plan));

    public static bool CanReuse(ClusterPlan old, ClusterPlan next) =>
        old.UseTls == next.UseTls
        && old.TlsServerName == next.TlsServerName
        && Equals(old.Tls, next.Tls)
        && old.ConnectTimeout == next.ConnectTimeout
        && old.UseHttp2 == next.UseHttp2
        && old.CircuitBreakers?.MaxConnections == next.CircuitBreakers?.MaxConnections;

    /// <summary>Proxy-safe settings: no ambient proxy, redirects, decompression or cookies.</summary>
    private static SocketsHttpHandler CreateHandler(ClusterPlan plan)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = plan.ConnectTimeout,
            MaxConnectionsPerServer = plan.CircuitBreakers?.MaxConnections ?? int.MaxValue,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // Tracing headers are the gateway's own business, not the handler's.
            ActivityHeadersPropagator = null,
        };
        if (plan.UseTls)
        {
            handler.ConnectCallback = TlsConnector(plan);
        }
        return handler;
    }

    /// <summary>
    /// TLS to the upstream, done here rather than by the handler: the handler would take the SNI
    /// name from the Host header, and Sluice keeps the client's Host while sending the upstream's
    /// own name (or <c>tls.sni</c>) as SNI, as Envoy did. The handler then speaks plain HTTP/1.1
    /// (or HTTP/2 with prior knowledge, for <c>use_http2</c>) over the encrypted stream, which
    /// is why endpoint URLs stay <c>http://</c>.
    /// </summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> TlsConnector(ClusterPlan plan)
    {
        X509Certificate2Collection? authorities = null;
        if (plan.Tls?.RootCaPem is { } rootCa)
        {
            authorities = [];
            authorities.ImportFromPem(rootCa);
        }
        X509CertificateCollection? clientCertificates = null;
        if (plan.Tls is { ClientCertificatePem: { } certificatePem, ClientKeyPem: { } keyPem })
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            // Reloaded from PKCS#12: TLS client authentication wants a key it can persist.
            clientCertificates = [X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null)];
        }
        var protocols = new List<SslApplicationProtocol> { plan.UseHttp2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11 };

        return async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = plan.TlsServerName ?? context.DnsEndPoint.Host,
                    ApplicationProtocols = protocols,
                    ClientCertificates = clientCertificates,
                    EnabledSslProtocols = TlsContext.SupportedProtocols,
                    RemoteCertificateValidationCallback = authorities is null ? null : (_, certificate, chain, errors) => ChainsTo(authorities, certificate, chain, errors),
                }, cancellationToken);
                return tls;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <summary>
    /// Upstream verification against a configured CA: the chain must end there, and the name must
    /// match (the only policy error the custom trust does not cover).
    /// </summary>
    private static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        return certificate is not null
            && !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            && CustomTrust.ChainsTo(authorities, certificate, chain);
    }
}
