using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Net.Client;
using Sluice.Security;

namespace Sluice.Etcd;

/// <summary>Builds the dotnet-etcd client for <see cref="EtcdOptions"/>: endpoints, TLS and credentials.</summary>
internal static class EtcdClientFactory
{
    public static EtcdClient Create(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is required", nameof(options));
        }
        var endpoints = string.Join(',', options.Endpoints);
        var tls = options.Endpoints.Any(e => e.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        // The channel balances over a static list of endpoints; its own name stands in for a host.
        var serverName = new Uri(options.Endpoints[0].Contains("://", StringComparison.Ordinal) ? options.Endpoints[0] : "http://" + options.Endpoints[0]).Host;
        var client = tls
            ? new EtcdClient(endpoints, ssl => ConfigureTls(ssl, options), serverName: serverName, configureChannelOptions: ConfigureChannel)
            : new EtcdClient(endpoints, serverName: serverName, configureChannelOptions: ConfigureChannel);
        if (!string.IsNullOrEmpty(options.Username))
        {
            client.SetCredentials(options.Username, options.Password ?? "");
        }
        return client;
    }

    /// <summary>
    /// gRPC backs off reconnecting to a member up to two minutes by default: after an outage of
    /// the whole cluster, gateways would then converge minutes after etcd returned. Retry often.
    /// </summary>
    private static void ConfigureChannel(GrpcChannelOptions channel)
    {
        channel.InitialReconnectBackoff = TimeSpan.FromMilliseconds(200);
        channel.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
    }

    private static void ConfigureTls(SslClientAuthenticationOptions ssl, EtcdOptions options)
    {
        if (options.CertFile is { } certFile)
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, options.KeyFile);
            // Exported and reloaded: SslStream on Linux wants a key it can use, not an ephemeral one.
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }
        if (options.CaFile is { } caFile)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(caFile);
            // Members are named by address in their certificates as often as by host name; the
            // chain to the configured CA is what proves them.
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                certificate is not null
                && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
                && CustomTrust.ChainsTo(authorities, certificate, chain);
        }
    }
}
