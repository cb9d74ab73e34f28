namespace Sluice.Plan;

/// <summary>
/// Lets a destination whose client keeps its own connections (NATS) tell the gateway which
/// endpoints it can reach right now. An unreachable endpoint is skipped like one that failed its
/// health checks (all of them unreachable: all are candidates again, Envoy's panic mode).
/// Reports go to the upstream's long-lived state, so an invoker kept across reloads keeps reporting.
/// </summary>
public interface IEndpointReachability
{
    void SetReachable(string host, int port, bool reachable);
}
