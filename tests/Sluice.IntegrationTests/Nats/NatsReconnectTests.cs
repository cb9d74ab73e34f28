using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// The nats-server is killed and restarted under traffic: the gateway reconnects by itself,
/// and nothing it answered 200 was lost.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class NatsReconnectTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Server_restart_under_traffic_loses_no_acknowledged_message()
    {
        await using var nats = await NatsServer.StartAsync();
        await using (var setup = await RawNatsClient.ConnectAsync(nats.Port))
        {
            await setup.CreateStreamAsync("EVENTS", "\"evt.>\"");
        }
        await using var gateway = await GatewayFixture.StartAsync(output: output);
        await gateway.ApplyAsync($$"""
            name: js
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats, properties: { jetstream: true, op_timeout: 2s } }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /publish }
              single_destination: { function: { upstream_name: js, function_name: evt.http } }
            """);

        var acknowledged = new ConcurrentBag<(string Id, long Seq)>();
        var failures = new ConcurrentBag<int>();
        var afterRestart = 0;
        var restarted = false;
        var next = 0;
        // Traffic runs until messages are acknowledged after the restart (an event, not a clock:
        // a restart takes longer on a loaded machine), bounded by a cap that fails the test.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var id = $"msg-{Interlocked.Increment(ref next)}";
                using var response = await gateway.Client.PostAsync("/publish", new StringContent(id));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var ack = JsonDocument.Parse(body);
                    acknowledged.Add((id, ack.RootElement.GetProperty("seq").GetInt64()));
                    if (Volatile.Read(ref restarted))
                    {
                        Interlocked.Increment(ref afterRestart);
                    }
                }
                else
                {
                    failures.Add((int)response.StatusCode);
                }
            }
        }
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(WorkerAsync)).ToArray();
        await Task.Delay(800);
        var beforeRestart = acknowledged.Count;
        await nats.RestartAsync();
        Volatile.Write(ref restarted, true);
        while (Volatile.Read(ref afterRestart) < 20 && !stop.IsCancellationRequested)
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        output.WriteLine($"acknowledged {acknowledged.Count} ({beforeRestart} before the restart, {afterRestart} after it came back); failed: {string.Join(", ", failures.GroupBy(f => f).Select(g => $"{g.Count()}x{g.Key}"))}");
        Assert.True(beforeRestart > 0, "no message was acknowledged before the restart");
        Assert.True(afterRestart > 0, "the gateway did not publish again after the server came back");
        Assert.All(failures, status => Assert.Contains(status, new[] { 500, 408 }));

        await using var observer = await RawNatsClient.ConnectAsync(nats.Port);
        var stored = await observer.StreamMessageCountAsync("EVENTS");
        Assert.True(stored >= acknowledged.Count, $"{acknowledged.Count} acknowledged, {stored} stored");
        foreach (var (id, seq) in acknowledged)
        {
            var (payload, _) = await observer.GetStoredAsync("EVENTS", seq);
            Assert.Equal(id, Encoding.UTF8.GetString(payload));
        }
    }
}
