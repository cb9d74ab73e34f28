using System.Net;
using System.Net.Security;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// A cluster at run time: its plan, one pooled HTTP client, and the endpoints to pick from.
/// Kept across reloads while the cluster's plan stays equal, so its connections survive.
/// </summary>
internal sealed class ClusterState : IDisposable
{
    private readonly EndpointState[] _endpoints;
    private uint _next;

    public ClusterState(ClusterPlan plan)
    {
        Plan = plan;
        var scheme = plan.UseTls ? "https" : "http";
        _endpoints = plan.Endpoints.Select(e => new EndpointState(e, scheme, plan)).ToArray();
        Client = new HttpMessageInvoker(CreateHandler(plan));
    }

    public ClusterPlan Plan { get; }

    public HttpMessageInvoker Client { get; }

    public bool HasEndpoints => _endpoints.Length > 0;

    /// <summary>Round robin, so a retry naturally lands on the next endpoint.</summary>
    public EndpointState NextEndpoint()
    {
        var endpoints = _endpoints;
        return endpoints.Length == 1 ? endpoints[0] : endpoints[Interlocked.Increment(ref _next) % (uint)endpoints.Length];
    }

    public void Dispose() => Client.Dispose();

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
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // Tracing headers are the gateway's own business, not the handler's.
            ActivityHeadersPropagator = null,
        };
        if (plan.TlsServerName is { } serverName)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { TargetHost = serverName };
        }
        return handler;
    }
}
