using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Plugins.Serverless;

/// <summary>The function examples stay valid: `sluice validate` accepts every object in them.</summary>
public sealed class ServerlessExampleTests
{
    [Theory]
    [InlineData("aws-lambda", "upstream/lambda")]
    [InlineData("azure-functions", "upstream/azure")]
    [InlineData("google-functions", "upstream/gcf")]
    [InlineData("faas", "upstream/fn")]
    public async Task Example_validates(string example, string upstream)
    {
        var folder = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", example);
        var run = (await CliRun.RunAsync("validate", folder)).AssertExit(0);
        Assert.Matches(upstream + @"\s+Accepted", run.Out);
        Assert.Matches(@"virtualservice/default\s+Accepted", run.Out);
        Assert.Contains(" 0 rejected; 0 load error(s)", run.Out);
    }
}
