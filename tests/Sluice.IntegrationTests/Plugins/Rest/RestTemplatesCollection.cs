namespace Sluice.IntegrationTests.Plugins.Rest;

/// <summary>
/// RestFunctionTests counts template parses process-wide to show that requests never parse, so
/// it runs with nothing beside it: ExamplesTests and the in-process CLI tests translate REST
/// templates too, and their parses would land in the count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RestTemplatesCollection
{
    public const string Name = "RestTemplates";
}
