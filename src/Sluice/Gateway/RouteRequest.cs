using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using Sluice.Gateway.Clusters;
using Sluice.Plan;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// The gateway's <see cref="RouteContext"/>, set as a feature of each matched request. Also
/// carries what the shared, stateless <see cref="RouteTransformer"/> and the resilience loop need
/// per attempt: the cluster model and endpoint, the transformer, whether a 5xx may be held back.
/// </summary>
/// <remarks>
/// Not allocated per request: one instance lives in the connection's persistent state
/// (<see cref="IPersistentStateFeature"/>, which Kestrel keeps across the requests of an HTTP/1.1
/// connection and with each pooled HTTP/2 stream) and is reset by <see cref="Start"/>. Requests on
/// one connection (or stream) never overlap, and nothing holds the instance once its request has
/// ended: telemetry reads it before the middleware returns.
/// </remarks>
internal sealed class RouteRequest : RouteContext
{
    private static readonly object StateKey = new();

    private HttpContext _httpContext = null!;

    // Kept across the connection's requests (not reset): its peer does not change.
    private IPAddress? _peer;
    private string? _peerText;

    private RouteRequest()
    {
    }

    /// <summary>The connection's instance (a new one only for the first matched request on it), reset for this request.</summary>
    public static RouteRequest Start(HttpContext httpContext, RouteState route, RequestTelemetry telemetry, ProxyServices services, bool isPreflight)
    {
        RouteRequest request;
        var persistent = httpContext.Features.Get<IPersistentStateFeature>()?.State;
        if (persistent is null)
        {
            request = new RouteRequest();
        }
        else if (persistent.TryGetValue(StateKey, out var kept) && kept is RouteRequest reused)
        {
            request = reused;
        }
        else
        {
            request = new RouteRequest();
            persistent[StateKey] = request;
        }
        request.Reset(httpContext, route, telemetry, services, isPreflight);
        httpContext.Features.Set<RouteContext>(request);
        return request;
    }

    private void Reset(HttpContext httpContext, RouteState route, RequestTelemetry telemetry, ProxyServices services, bool isPreflight)
    {
        ResetRequest(isPreflight);
        _httpContext = httpContext;
        State = route;
        Telemetry = telemetry;
        Services = services;
        Destination = null;
        Cluster = null;
        Model = null;
        EndpointState = null;
        Transformer = null;
        FromTrustedProxy = false;
        IsUpgrade = false;
        MayRetry = false;
        RetryRequested = false;
    }

    public override HttpContext HttpContext => _httpContext;

    public override RoutePlan Route => State.Plan;

    public override RoutePipeline Pipeline => State.Pipeline;

    public override int HttpsPort => Services.HttpsPort;

    public override HttpTransformer RouteTransformer => State.Transformer;

    public RouteState State { get; private set; } = null!;

    public RequestTelemetry Telemetry { get; private set; } = null!;

    public ProxyServices Services { get; private set; } = null!;

    /// <summary>The destination picked by the route's <see cref="DestinationFilter"/>.</summary>
    public DestinationState? Destination { get; private set; }

    /// <summary>The destination's cluster, and the model of it this request works with (read once).</summary>
    public ClusterState? Cluster { get; private set; }

    public ClusterModel? Model { get; private set; }

    /// <summary>The endpoint of the current attempt.</summary>
    public EndpointState? EndpointState { get; private set; }

    /// <summary>The transformer of a forwarded request: the route's, or an invoker's built on it.</summary>
    public HttpTransformer? Transformer { get; set; }

    /// <summary>The immediate peer is a trusted proxy: its forwarding headers are passed on.</summary>
    public bool FromTrustedProxy { get; set; }

    /// <summary>A WebSocket (or other upgrade) request: sent once, with the upgrade idle timeout.</summary>
    public bool IsUpgrade { get; set; }

    /// <summary>True while attempts remain: a 5xx is then held back and retried.</summary>
    public bool MayRetry { get; set; }

    /// <summary>Set when an attempt held back an answer for a retry.</summary>
    public bool RetryRequested { get; set; }

    public void Chose(DestinationState destination)
    {
        Destination = destination;
        FunctionName = destination.Plan.Function;
    }

    /// <summary>The cluster model this request's attempts use, read once so a reload mid-request changes nothing under it.</summary>
    public void Calling(ClusterState cluster, ClusterModel model)
    {
        Cluster = cluster;
        Model = model;
    }

    public void Attempting(EndpointState endpoint, TimeSpan timeout)
    {
        EndpointState = endpoint;
        Endpoint = endpoint.Prefix;
        EndpointAddress = endpoint.Plan;
        AttemptTimeout = timeout;
    }

    public void Retrying() => Retries++;

    /// <summary>
    /// The client's address for <c>x-forwarded-for</c>, written once per connection: Kestrel hands
    /// every request of a connection the same address object. Dual-stack listeners see IPv4
    /// clients as ::ffff:a.b.c.d; upstreams expect a.b.c.d.
    /// </summary>
    public string ClientAddressText(IPAddress peer)
    {
        if (!ReferenceEquals(peer, _peer))
        {
            _peerText = (peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer).ToString();
            _peer = peer;
        }
        return _peerText!;
    }

    public override bool HoldsBack(int status)
    {
        if (MayRetry && Route.Retries is { } retries && retries.RetriesStatus(status))
        {
            RetryRequested = true;
            return true;
        }
        return false;
    }

    public override Task ForwardAsync(HttpTransformer transformer)
    {
        Transformer = transformer;
        return Services.Caller.CallAsync(this, Destination!.Cluster!, Services.Caller.Forward).AsTask();
    }

    public override Task CallUpstreamAsync(IUpstreamCall call) => Services.Caller.CallAsync(this, Destination!.Cluster!, call).AsTask();
}
