namespace Sluice.Tests.Infrastructure;

/// <summary>
/// Tests that assert on elapsed time (debounce windows, change latency) run alone: on a 2-core
/// machine, test classes running beside them would measure contention instead of the code.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
