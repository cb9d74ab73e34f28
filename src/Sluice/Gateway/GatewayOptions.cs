using System.Net;
using Sluice.Api;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>How <c>sluice run</c> starts: where config lives and where to listen.</summary>
public sealed record GatewayOptions
{
    public string ConfigDir { get; init; } = "./sluice-config";

    /// <summary>Address the traffic listeners bind to; default all addresses.</summary>
    public IPAddress Bind { get; init; } = IPAddress.IPv6Any;

    /// <summary>HTTP/1.1 (and HTTP/2 via upgrade-free clients over TLS later); 0 = off.</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>HTTPS, used once a virtual service has <c>ssl_config</c>; 0 = off.</summary>
    public int HttpsPort { get; init; } = 8443;

    /// <summary>
    /// Cleartext HTTP/2 with prior knowledge (h2c). Kestrel cannot tell h2c from HTTP/1.1 on one
    /// cleartext port, so it gets its own; 0 = off.
    /// </summary>
    public int Http2Port { get; init; } = 8081;

    public IPAddress AdminBind { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// Peers whose <c>x-forwarded-for</c>, <c>x-forwarded-host</c>, <c>forwarded</c> and
    /// <c>x-real-ip</c> are passed on (a load balancer in front). From anyone else they are
    /// replaced or dropped. Empty by default: no client is trusted.
    /// </summary>
    public ValueList<IPNetwork> TrustedProxies { get; init; } = ValueList<IPNetwork>.Empty;

    /// <summary>Health, readiness, metrics, objects with status, the live plan; 0 = off.</summary>
    public int AdminPort { get; init; } = 19000;

    /// <summary><c>all</c>, <c>gateway</c> (serve only) or <c>controller</c> (statuses only).</summary>
    public GatewayRole Role { get; init; } = GatewayRole.All;

    /// <summary>
    /// On shutdown (SIGTERM), how long <c>/readyz</c> says "draining" while the listeners still
    /// serve, so load balancers take this process out before it stops accepting; then requests in
    /// flight are drained. Zero for a single process with nothing in front of it.
    /// </summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long a client has to send a request's whole head (request line and headers): a
    /// slowloris client trickling bytes is answered 408 and closed after this long.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest request body buffered so it can be retried; larger bodies are not retried.</summary>
    public int MaxRetryBufferBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// How requests to plain-text HTTP/1.1 upstreams are forwarded: the direct forwarder
    /// (<c>Gateway/Forwarding/</c>; the default: measured ~14 % less CPU per request than YARP's
    /// path, bench/README.md) or YARP over HttpClient. TLS and HTTP/2 upstreams, upgrades and
    /// requests an invoker transforms always go through YARP.
    /// </summary>
    public UpstreamClient UpstreamClient { get; init; } = UpstreamClient.Direct;

    /// <summary>How long the direct forwarder keeps an idle upstream connection (HttpClient's pooled-connection idle timeout).</summary>
    internal TimeSpan UpstreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>JSON access log lines; off by default.</summary>
    public AccessLogOptions AccessLog { get; init; } = new();

    /// <summary>OpenTelemetry tracing; off by default.</summary>
    public TracingOptions Tracing { get; init; } = new();

    /// <summary>StatsD export; off by default.</summary>
    public StatsdOptions Statsd { get; init; } = new();
}
