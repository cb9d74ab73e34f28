using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTPS client that connects to the gateway's loopback port whatever the URL's host, so
/// the host travels as SNI and Host; it trusts the test CA only and remembers what it saw.
/// </summary>
internal sealed class TlsClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly int _port;

    public TlsClient(int port, TestCertificates authority, Version? version = null, X509Certificate2? clientCertificate = null)
    {
        _port = port;
        using var ca = X509Certificate2.CreateFromPem(authority.CaPem);
        var caRaw = ca.RawData;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, _port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    Handshakes++;
                    ServerCertificate = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    using var trust = new X509Chain();
                    trust.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    trust.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(caRaw));
                    trust.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return ServerCertificate is not null && trust.Build(ServerCertificate);
                },
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                EnabledSslProtocols = SslProtocols.None,
            },
        };
        _client = new HttpClient(handler)
        {
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public X509Certificate2? ServerCertificate { get; private set; }

    public int Handshakes { get; private set; }

    public Task<HttpResponseMessage> GetAsync(string host, string path) => _client.GetAsync($"https://{host}:{_port}{path}");

    public async Task<EchoResponse> GetEchoAsync(string host, string path)
    {
        using var response = await GetAsync(host, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
    }

    public void Dispose() => _client.Dispose();
}
