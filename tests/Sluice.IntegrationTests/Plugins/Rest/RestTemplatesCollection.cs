namespace Sluice.IntegrationTests.Plugins.Rest;

/// <summary>
/// Test classes that parse REST templates run one after another: one of them counts parses
/// process-wide to show that requests never parse.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RestTemplatesCollection
{
    public const string Name = "RestTemplates";
}
