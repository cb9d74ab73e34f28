using Sluice.Plan;

namespace Sluice.Tests.Gateway;

public sealed class SluiceErrorTests
{
    public static TheoryData<SluiceErrorCode> Codes => new(Enum.GetValues<SluiceErrorCode>());

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_has_a_status_and_a_stable_name(SluiceErrorCode code)
    {
        Assert.True(SluiceError.IsDefined(code));
        var error = new SluiceError(code, "why");
        Assert.InRange(error.StatusCode, 400, 599);
        Assert.Matches("^[a-z0-9_]+$", error.Name);
    }

    [Fact]
    public void Names_are_unique()
    {
        var names = Enum.GetValues<SluiceErrorCode>().Select(c => new SluiceError(c, "").Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
