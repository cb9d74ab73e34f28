namespace Sluice.Plan;

/// <summary>
/// What an invoker learns about its upstream only once it runs (a NATS server's INFO says
/// JetStream is off): warnings the upstream's status shows beside its translation verdict.
/// Each source (a connection) keeps at most one warning and clears it with null, and must clear
/// it when disposed.
/// </summary>
public interface IRuntimeFindings
{
    void Set(object source, string? warning);
}
