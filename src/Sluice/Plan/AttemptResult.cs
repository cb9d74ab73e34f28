namespace Sluice.Plan;

/// <summary>
/// What one try at an upstream came to, as the destination kind reports it to the gateway's
/// resilience loop. The loop, not the destination, decides from it whether to try again (the
/// route's retry policy and the cluster's retry budget), and what outlier detection counts
/// against the endpoint tried.
/// </summary>
public enum AttemptResult
{
    /// <summary>
    /// An answer is set: the response, or a <see cref="SluiceError"/> for the client. An answer
    /// with a 5xx status counts as a server error against the endpoint; any other as a success.
    /// </summary>
    Answered,

    /// <summary>
    /// The upstream's answer was one the route retries (<see cref="RouteContext.HoldsBack"/> said so);
    /// nothing was written. Always tried again.
    /// </summary>
    HeldBack,

    /// <summary>No connection to the endpoint could be made (retried on <c>connect-failure</c>, <c>5xx</c>, <c>gateway-error</c>).</summary>
    ConnectFailure,

    /// <summary>The connection was reset or the answer was not understood (retried on <c>reset</c>, <c>5xx</c>).</summary>
    Reset,

    /// <summary>No answer within the attempt's time (retried as a reset, counted as a server error).</summary>
    TimedOut,

    /// <summary>Failed in a way another try would not fix (a refused TLS handshake); counted, never retried.</summary>
    Failed,

    /// <summary>The client's side failed (it went away, its body could not be read or is refused): neither counted nor retried.</summary>
    ClientSide,
}
