using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plan;

/// <summary>
/// One request handed to an <see cref="IInvoker"/>: the request, the route it matched, the
/// function it asked for, and a way back into the gateway's forwarding (endpoint choice,
/// retries, timeouts, error answers) with the invoker's own transformer.
/// </summary>
public sealed class InvocationContext(
    HttpContext httpContext,
    RoutePlan route,
    string? functionName,
    HttpTransformer routeTransformer,
    Func<HttpTransformer, Task> forward)
{
    public HttpContext HttpContext { get; } = httpContext;

    public RoutePlan Route { get; } = route;

    /// <summary>The function the route's destination names; null for an upstream destination.</summary>
    public string? FunctionName { get; } = functionName;

    /// <summary>The route's own changes (rewrite, headers, CORS); an invoker's transformer may build on it.</summary>
    public HttpTransformer RouteTransformer { get; } = routeTransformer;

    /// <summary>Forwards to the cluster's endpoints as a plain route would, with this transformer.</summary>
    public Task ForwardAsync(HttpTransformer transformer) => forward(transformer);
}
