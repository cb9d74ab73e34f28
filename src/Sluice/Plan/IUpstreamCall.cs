namespace Sluice.Plan;

/// <summary>
/// One try at a destination's upstream, made the destination kind's own way: an HTTP forward, a
/// Lambda Invoke, a NATS publish. An invoker that calls its upstream hands an <see cref="IUpstreamCall"/>
/// (typically itself: no allocation) to <see cref="RouteContext.CallUpstreamAsync"/>, and the
/// gateway's one resilience loop wraps it: circuit-breaker admission, the endpoint to try
/// (<see cref="RouteContext.Endpoint"/>), retries with backoff within the route timeout and the
/// cluster's retry budget, per-try timeouts (<see cref="RouteContext.AttemptTimeout"/>), and
/// outlier recording per endpoint.
/// </summary>
/// <remarks>
/// A try reads the request as it finds it: before a retry the loop rewinds the body (kept in
/// memory when retries are possible) and clears the failed try's response and error. A try sets
/// the <see cref="SluiceError"/> its failure is answered with when no retry follows, and never
/// writes a response it may have to take back: an upstream answer the route would retry is
/// checked with <see cref="RouteContext.HoldsBack"/> first.
/// </remarks>
public interface IUpstreamCall
{
    ValueTask<AttemptResult> TryAsync(RouteContext context);
}
