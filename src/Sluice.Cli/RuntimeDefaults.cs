namespace Sluice.Cli;

/// <summary>
/// Runtime settings <c>sluice</c> ships with, each kept because it won an A/B in
/// <c>bench/runtime.sh</c> (the table is in <c>bench/README.md</c>), not because it is folklore.
/// A value the user set in the environment always wins.
/// </summary>
internal static class RuntimeDefaults
{
    /// <summary>
    /// Socket completions run on the epoll thread instead of being queued to the thread pool: one
    /// hop and one wake-up less per read and write, on both the client and the upstream side.
    /// Measured with 1,000 routes on one core: 1.17× requests/s, 0.87× CPU per request, 0.54× p99.
    /// Safe here because nothing on the request path blocks a thread. The runtime reads the
    /// variable once, when the first socket is used, so it is set before anything else runs;
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> turns it off.
    /// </summary>
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Apply()
    {
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }
    }
}
