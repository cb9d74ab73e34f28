using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// The gateway's <see cref="RouteContext"/>: one per matched request, set as a feature. Also
/// carries what the shared, stateless <see cref="RouteTransformer"/> and the forwarding loop need
/// per attempt: the endpoint picked, and whether a 5xx may be retried instead of passed on.
/// </summary>
internal sealed class RouteRequest : RouteContext
{
    public RouteRequest(HttpContext httpContext, RouteState route, RequestTelemetry telemetry, ProxyServices services, bool isPreflight)
    {
        HttpContext = httpContext;
        State = route;
        Telemetry = telemetry;
        Services = services;
        IsPreflight = isPreflight;
    }

    public override HttpContext HttpContext { get; }

    public override RoutePlan Route => State.Plan;

    public override RoutePipeline Pipeline => State.Pipeline;

    public override int HttpsPort => Services.HttpsPort;

    public override HttpTransformer RouteTransformer => State.Transformer;

    public RouteState State { get; }

    public RequestTelemetry Telemetry { get; }

    public ProxyServices Services { get; }

    /// <summary>The destination picked by the route's <see cref="DestinationFilter"/>.</summary>
    public DestinationState? Destination { get; private set; }

    /// <summary>The endpoint of the current attempt.</summary>
    public EndpointState? EndpointState { get; private set; }

    /// <summary>The immediate peer is a trusted proxy: its forwarding headers are passed on.</summary>
    public bool FromTrustedProxy { get; set; }

    /// <summary>True while attempts remain: a 5xx is then held back and retried.</summary>
    public bool MayRetry { get; set; }

    /// <summary>Set by the transformer when it held back a 5xx.</summary>
    public bool RetryRequested { get; set; }

    public void Chose(DestinationState destination)
    {
        Destination = destination;
        FunctionName = destination.Plan.Function;
    }

    public void Attempting(EndpointState endpoint)
    {
        EndpointState = endpoint;
        Endpoint = endpoint.Prefix;
    }

    public void Retrying() => Retries++;

    public override Task ForwardAsync(HttpTransformer transformer) => Services.Forwarder.ForwardAsync(this, Destination!.Cluster!, transformer);
}
