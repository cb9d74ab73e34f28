using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Events;

/// <summary>The shipped examples stay valid: every object accepted, no warnings.</summary>
public sealed class EventExamplesTests
{
    [Theory]
    [InlineData("nats-webhook", "upstream/nats", "upstream/nats-core")]
    [InlineData("cloudevents", "upstream/bus", "upstream/sample")]
    public async Task Example_is_accepted_whole(string example, string firstUpstream, string secondUpstream)
    {
        var folder = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", example);
        var run = (await CliRun.RunAsync("validate", folder)).AssertExit(0);
        Assert.Matches($@"{firstUpstream}\s+Accepted", run.Out);
        Assert.Matches($@"{secondUpstream}\s+Accepted", run.Out);
        Assert.Matches(@"virtualservice/default\s+Accepted", run.Out);
        Assert.Contains("0 with warnings, 0 rejected; 0 load error(s)", run.Out);
    }
}
