using Sluice.Gateway.Resilience;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>The server-wide services a request's route work reaches through its <see cref="RouteRequest"/>.</summary>
internal sealed class ProxyServices(ResilientCaller caller, GatewayTelemetry telemetry, int httpsPort)
{
    /// <summary>The resilience loop every upstream call goes through.</summary>
    public ResilientCaller Caller { get; } = caller;

    public GatewayTelemetry Telemetry { get; } = telemetry;

    public int HttpsPort { get; } = httpsPort;
}
