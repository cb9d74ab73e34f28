using Sluice.Cli;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// The runtime settings <c>sluice</c> ships with (measured in bench/runtime.sh). The variable is
/// read by the socket engine only when it starts, long before these tests run, so changing it
/// here affects nothing else in the process.
/// </summary>
public sealed class RuntimeDefaultsTests
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    [Theory]
    [InlineData(null, "1")]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    public void InlineSocketCompletions_OnUnlessTheUserSaidOtherwise(string? userValue, string expected)
    {
        var original = Environment.GetEnvironmentVariable(InlineCompletions);
        try
        {
            Environment.SetEnvironmentVariable(InlineCompletions, userValue);
            RuntimeDefaults.Apply();
            Assert.Equal(expected, Environment.GetEnvironmentVariable(InlineCompletions));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineCompletions, original);
        }
    }
}
