using Sluice.Cli.Commands;
using Sluice.Cli.Output;

namespace Sluice.IntegrationTests.Cli;

public sealed class ObjectTableTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("short reason", "short reason")]
    [InlineData("first line\nsecond line", "first line… (-o yaml for all)")]
    public void ShortReason_KeepsShortOnesAndCutsMultiLine(string? reason, string expected) =>
        Assert.Equal(expected, ObjectTable.ShortReason(reason));

    [Fact]
    public void ShortReason_LongOne_CutAtTheLimit()
    {
        var reason = new string('x', ObjectTable.MaxReasonLength + 50);

        var shown = ObjectTable.ShortReason(reason);

        Assert.StartsWith(new string('x', ObjectTable.MaxReasonLength) + "…", shown);
        Assert.DoesNotContain(new string('x', ObjectTable.MaxReasonLength + 1), shown);
    }

    [Theory]
    [InlineData("0.1.0+dd8adf227393c5d59ba55c38a20139e78713eed4", "0.1.0+dd8adf2")]
    [InlineData("0.1.0+abc", "0.1.0+abc")]
    [InlineData("0.1.0", "0.1.0")]
    public void Version_CommitShortened(string informational, string shown) =>
        Assert.Equal(shown, VersionCommand.Shorten(informational));
}
