namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Waits for an outcome, not for a time: polls until it holds, failing with what was awaited after a generous deadline.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {seconds} s");
            await Task.Delay(20);
        }
    }
}
