namespace Sluice.Plan;

/// <summary>
/// Where a route filter runs in its route's pipeline. Request work runs in this order, and a
/// filter that answers ends it; response work (<see cref="IResponseFilter"/>) runs in reverse.
/// </summary>
public enum Stage
{
    /// <summary>Who may come in at all: authentication, rate limits.</summary>
    Admission,

    /// <summary>Looking at or changing the request: CORS preflight answers, header and body transforms.</summary>
    Request,

    /// <summary>Answering: a redirect, a fixed response, or the destination's upstream call.</summary>
    Action,

    /// <summary>Only changes the response (see <see cref="IResponseFilter"/>).</summary>
    Response,
}
