using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 client over TLS whose SNI name is fixed while each request names its own Host, as
/// an attacker can: the handshake is done here, and the handler speaks HTTP/1.1 over it, one
/// connection for all requests. (HTTP/2 needs <see cref="RawHttp2Connection"/>: Kestrel wants
/// <c>:scheme https</c> on TLS, which the handler sends only when it does TLS itself.)
/// </summary>
internal sealed class SniClient : IDisposable
{
    private readonly HttpClient _client;

    /// <param name="serverName">SNI sent in the handshake; null sends none.</param>
    public SniClient(int port, TestCertificates authority, string? serverName, X509Certificate2? clientCertificate = null)
    {
        using var ca = X509Certificate2.CreateFromPem(authority.CaPem);
        var caRaw = ca.RawData;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (_, cancellationToken) =>
            {
                Connections++;
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    // An IP literal as target sends no SNI at all.
                    TargetHost = serverName ?? "127.0.0.1",
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        using var trust = new X509Chain();
                        trust.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        trust.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(caRaw));
                        trust.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return certificate is not null && trust.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                    },
                }, cancellationToken);
                return tls;
            },
        };
        // http:// so the handler leaves TLS to the callback; the stream is encrypted all the same.
        _client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://gateway:{port}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>TLS connections opened so far.</summary>
    public int Connections { get; private set; }

    public async Task<(HttpStatusCode Status, string? Error, string Body)> GetAsync(string host, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await _client.SendAsync(request);
        var error = response.Headers.TryGetValues("x-sluice-error", out var values) ? values.Single() : null;
        return (response.StatusCode, error, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _client.Dispose();
}
