using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Plugins.Rest;

/// <summary>The shipped example folder stays valid: every object Accepted, no warnings.</summary>
[Collection(RestTemplatesCollection.Name)]
public sealed class RestExampleTests
{
    [Fact]
    public async Task Validate_RestFunctionsExample_Exit0AllAccepted()
    {
        var example = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", "rest-functions");
        var run = (await CliRun.RunAsync("validate", example)).AssertExit(0);
        Assert.Matches(@"upstream/petstore\s+Accepted", run.Out);
        Assert.Matches(@"virtualservice/default\s+Accepted", run.Out);
    }
}
