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
    public void Names_are_unique_but_for_one_cap_answered_on_either_side()
    {
        var shared = Enum.GetValues<SluiceErrorCode>().Select(c => new SluiceError(c, ""))
            .GroupBy(e => e.Name)
            .Where(g => g.Count() > 1)
            .ToList();
        var pair = Assert.Single(shared);
        // The request's data over a template cap is the client's (413); the upstream's is not (502).
        Assert.Equal("template_too_large", pair.Key);
        Assert.Equal([413, 502], pair.Select(e => e.StatusCode).Order());
    }
}
