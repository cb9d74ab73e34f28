namespace Sluice.IntegrationTests.Robustness;

/// <summary>The hostile-client and hostile-upstream tests share one gateway process and run one at a time, so memory readings are theirs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AttackedGatewayCollection : ICollectionFixture<AttackedGateway>
{
    public const string Name = "attacked gateway process";
}
