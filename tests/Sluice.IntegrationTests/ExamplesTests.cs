using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests;

/// <summary>
/// Every folder under <c>examples/</c> stays valid: <c>sluice validate</c> accepts it with nothing
/// rejected and nothing failing to load. New examples are picked up without touching this test.
/// </summary>
public sealed class ExamplesTests
{
    private static IEnumerable<string> Names() =>
        Directory.GetDirectories(Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples"))
            .Select(folder => Path.GetFileName(folder)!)
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Folders() => new(Names());

    [Fact]
    public void Every_capability_has_an_example()
    {
        Assert.Superset(
            new HashSet<string> { "quickstart", "rest-functions", "aws-lambda", "nats-webhook", "cloudevents", "observability", "traffic-management", "tls" },
            Names().ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task Example_validates(string example)
    {
        var folder = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", example);
        var run = (await CliRun.RunAsync("validate", folder)).AssertExit(0);
        Assert.Matches(@"virtualservice/\S+\s+Accepted", run.Out);
        Assert.Contains(" 0 rejected; 0 load error(s)", run.Out);
    }
}
