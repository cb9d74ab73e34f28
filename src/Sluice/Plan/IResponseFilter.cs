namespace Sluice.Plan;

/// <summary>
/// A filter that changes the response's status line and headers before they are sent, whoever
/// made the response: the upstream (through the forwarder), a function invoker, or a route's
/// own answer. Runs in reverse pipeline order; never for the gateway's error answers.
/// </summary>
public interface IResponseFilter
{
    void OnResponse(RouteContext context);
}
