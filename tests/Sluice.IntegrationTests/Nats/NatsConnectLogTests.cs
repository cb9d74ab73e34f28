using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Plugins.Nats;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// A NATS server the gateway cannot reach, or that refuses its login, is one warning from Sluice
/// naming the server and the reason, however long it lasts; NATS.Net's own error entries for
/// each attempt are lowered to Debug (the gateway keeps serving, and retries).
/// </summary>
public sealed class NatsConnectLogTests
{
    [Fact]
    public async Task An_unreachable_server_is_one_warning_with_the_reason_and_no_error()
    {
        var port = FreePorts.Next();
        var logs = await RecordConnectAttemptsAsync(new NatsClientOptions { Servers = new([new("127.0.0.1", port, false)]) });

        var warning = SingleConnectWarning(logs, $"nats://127.0.0.1:{port}");
        Assert.Contains("Connection refused", warning.Message);
        // The library did log each failure, lowered to Debug.
        Assert.Contains(logs.Lines, line => line.Level == LogLevel.Debug && line.Message.StartsWith("Fail to connect NATS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_login_is_one_warning_with_the_servers_reason_and_no_error()
    {
        await using var nats = await NatsServer.StartAsync("authorization { token: \"s3cret\" }");
        var logs = await RecordConnectAttemptsAsync(new NatsClientOptions { Servers = new([new("127.0.0.1", nats.Port, false)]), Token = "wrong" });

        var warning = SingleConnectWarning(logs, $"nats://127.0.0.1:{nats.Port}");
        Assert.Contains("Authorization Violation", warning.Message);
    }

    /// <summary>The one entry at Warning or above: Sluice's, naming the server.</summary>
    private static RecordingLoggerProvider.LogLine SingleConnectWarning(RecordingLoggerProvider logs, string url)
    {
        var warnings = logs.Lines.Where(line => line.Level >= LogLevel.Warning).ToList();
        Assert.True(warnings.Count == 1, string.Join("\n", warnings));
        Assert.Equal(NatsEventIds.ConnectFailed, warnings[0].Id.Id);
        Assert.Contains(url, warnings[0].Message);
        return warnings[0];
    }

    /// <summary>Connects until Sluice has retried at least three times with the same reason, logging everything from Trace up.</summary>
    private static async Task<RecordingLoggerProvider> RecordConnectAttemptsAsync(NatsClientOptions options)
    {
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        await using (var connection = new NatsServerConnection(options, options.Servers[0], factory))
        {
            connection.Start();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (logs.Lines.Count(line => line.Id.Id == NatsEventIds.ConnectStillFailing) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "Sluice did not retry the connection three times within 30 s:\n" + string.Join("\n", logs.Lines));
                await Task.Delay(50);
            }
        }
        Assert.DoesNotContain(logs.Lines, line => line.Level >= LogLevel.Error);
        return logs;
    }
}
