namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that assert on elapsed time run alone: on a 2-core machine, other test classes running
/// beside them would measure the machine's contention instead of the gateway.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
