using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>The server-wide services a request's route work reaches through its <see cref="RouteRequest"/>.</summary>
internal sealed class ProxyServices(UpstreamForwarder forwarder, GatewayTelemetry telemetry, int httpsPort)
{
    public UpstreamForwarder Forwarder { get; } = forwarder;

    public GatewayTelemetry Telemetry { get; } = telemetry;

    public int HttpsPort { get; } = httpsPort;
}
