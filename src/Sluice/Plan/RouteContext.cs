using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plan;

/// <summary>
/// One request on its matched route, handed to every filter and invoker of the route: the
/// request, the route, the destination's function, and a way back into the gateway's
/// forwarding (endpoint choice, retries, timeouts, error answers). Also the request's
/// <c>HttpContext</c> feature that telemetry reads. One per request, made (or reused) by the gateway.
/// </summary>
public abstract class RouteContext
{
    public abstract HttpContext HttpContext { get; }

    public abstract RoutePlan Route { get; }

    public abstract RoutePipeline Pipeline { get; }

    /// <summary>The function the chosen destination names; null for an upstream destination or before one is chosen.</summary>
    public string? FunctionName { get; protected set; }

    /// <summary>A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method).</summary>
    public bool IsPreflight { get; protected set; }

    /// <summary>The gateway's HTTPS port, for redirects to HTTPS (0 or 443: none in the URL).</summary>
    public abstract int HttpsPort { get; }

    /// <summary>The endpoint the current (or last) attempt goes to ("http://10.0.0.1:8080"); null when none was called.</summary>
    public string? Endpoint { get; protected set; }

    /// <summary>The address of <see cref="Endpoint"/>, for a destination whose client connects by itself (a NATS server).</summary>
    public EndpointPlan? EndpointAddress { get; protected set; }

    /// <summary>How long the current attempt may take: the route's per-try timeout, else its timeout.</summary>
    public TimeSpan AttemptTimeout { get; protected set; }

    /// <summary>Attempts sent again so far (metrics, access log, trace).</summary>
    public int Retries { get; protected set; }

    /// <summary>The route's own forwarding changes (rewrite, headers, response filters); an invoker's transformer may build on it.</summary>
    public abstract HttpTransformer RouteTransformer { get; }

    /// <summary>Forwards to the cluster's endpoints as a plain route would, with <paramref name="transformer"/>.</summary>
    public abstract Task ForwardAsync(HttpTransformer transformer);

    /// <summary>
    /// Calls the destination's upstream with <paramref name="call"/>, once per attempt, under the
    /// gateway's resilience (breakers, retries, timeouts, outlier detection): see <see cref="IUpstreamCall"/>.
    /// </summary>
    public abstract Task CallUpstreamAsync(IUpstreamCall call);

    /// <summary>
    /// Asked by an attempt before it passes on an upstream answer of <paramref name="status"/>:
    /// true when the route retries that status and another attempt will follow, so the attempt
    /// writes nothing and returns <see cref="AttemptResult.HeldBack"/>.
    /// </summary>
    public abstract bool HoldsBack(int status);

    /// <summary>True once a filter answered the request: no later filter runs.</summary>
    public bool IsAnswered { get; private set; }

    /// <summary>Called by a filter that answered the request (or set a <see cref="SluiceError"/>).</summary>
    public void Answered() => IsAnswered = true;

    /// <summary>Makes the context ready for another request (the gateway reuses one per connection).</summary>
    protected void ResetRequest(bool isPreflight)
    {
        FunctionName = null;
        IsPreflight = isPreflight;
        Endpoint = null;
        EndpointAddress = null;
        AttemptTimeout = default;
        Retries = 0;
        IsAnswered = false;
    }

    /// <summary>Runs the route's response filters; for answers made without the forwarder (invokers, redirects).</summary>
    public void ApplyResponse() => Pipeline.ApplyResponse(this);
}
