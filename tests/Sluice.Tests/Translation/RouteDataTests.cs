using Sluice.Plan;

namespace Sluice.Tests.Translation;

public sealed class RouteDataTests
{
    private sealed record First(int Value);

    private sealed record Second(string Value);

    [Fact]
    public void Values_are_read_back_by_their_type()
    {
        var builder = new RouteDataBuilder();
        builder.Set(new First(1));
        builder.Set(new Second("a"));
        var data = builder.Build();
        Assert.Equal(new First(1), data.Get<First>());
        Assert.Equal(new Second("a"), data.Get<Second>());
        Assert.Null(RouteData.Empty.Get<First>());
    }

    [Fact]
    public void A_type_holds_one_value_and_the_last_one_wins()
    {
        var builder = new RouteDataBuilder();
        builder.Set(new First(1));
        builder.Set(new First(2));
        var data = builder.Build();
        Assert.Equal(new First(2), Assert.Single(data.Items));
    }

    [Fact]
    public void Compares_by_content()
    {
        RouteData Build(int value)
        {
            var builder = new RouteDataBuilder();
            builder.Set(new First(value));
            return builder.Build();
        }
        Assert.Equal(Build(1), Build(1));
        Assert.NotEqual(Build(1), Build(2));
    }
}
