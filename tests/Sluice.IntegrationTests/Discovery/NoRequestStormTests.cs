using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Sluice.Discovery;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// An opted-in upstream that answers 404 everywhere, watched for 30 s: one pass of the probe
/// list, then only the backoff's re-probes, and one log line for the whole time. The 30 s run on
/// a fake clock (the service takes its time from <see cref="DiscoveryOptions.Time"/>) stepped a
/// second at a time; the probes themselves are real requests to a real backend.
/// </summary>
public sealed class NoRequestStormTests
{
    [Fact]
    public async Task A_404_upstream_is_probed_once_per_backoff_step()
    {
        await using var backend = await DocumentBackend.StartAsync();
        var store = new InMemoryStore();
        store.Set([.. TestConfig.Read(Discover.Upstream("quiet", backend.Port))]);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Discover.Fast with { Time = clock, InitialBackoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromMinutes(5) };
        var logger = new CountingLogger();
        using var service = new DiscoveryService(store, options, logger);
        using var stop = new CancellationTokenSource();
        var run = service.RunAsync(stop.Token);
        var probeList = DiscoveryOptions.DefaultProbePaths.Count;

        await WaitForPassesAsync(service, 1);
        Assert.Equal(probeList, backend.Requests);
        // Backoff 10 s, then 20 s: re-probes no earlier than 10 and 30 s, so at most two more passes.
        for (var second = 1; second <= 30; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            // Real time for a due pass (or a wrongly scheduled one) to run; it shows in the counts below.
            await Task.Delay(second is 10 or 30 ? 300 : 50);
        }
        await Task.Delay(500);

        var state = service.States[0];
        Assert.InRange(state.Passes, 2, 3);
        Assert.Equal(state.Passes * probeList, backend.Requests);
        Assert.All(DiscoveryOptions.DefaultProbePaths, path => Assert.Equal(state.Passes, backend.Probes[path]));
        Assert.Equal("nothing", state.State);
        Assert.True(state.NextAttempt - state.LastAttempt >= TimeSpan.FromSeconds(20), $"backoff after {state.Passes} passes: {state.NextAttempt - state.LastAttempt}");
        // One line for the change pending → nothing; none for the two passes that changed nothing.
        Assert.Equal(1, logger.Lines);
        await stop.CancelAsync();
        await run;
    }

    private static async Task WaitForPassesAsync(DiscoveryService service, int passes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (service.States is not [{ } state] || state.Passes < passes)
        {
            Assert.True(DateTime.UtcNow < deadline, $"pass {passes} did not happen");
            await Task.Delay(10);
        }
    }

    private sealed class CountingLogger : ILogger<DiscoveryService>
    {
        private int _lines;

        public int Lines => Volatile.Read(ref _lines);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Interlocked.Increment(ref _lines);
    }
}
