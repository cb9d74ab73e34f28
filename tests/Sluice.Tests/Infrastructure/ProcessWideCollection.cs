namespace Sluice.Tests.Infrastructure;

/// <summary>
/// Tests that count something process-wide (allocated bytes across threads) run alone: test
/// classes running beside them would be counted too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "Process-wide";
}
