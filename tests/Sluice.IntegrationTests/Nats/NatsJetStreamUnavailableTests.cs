using System.Diagnostics;
using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// Gloo's <c>nats-streaming</c> alias means JetStream; a real nats-server started without it says
/// so in its INFO, and the gateway answers 503 at once instead of waiting op_timeout for a PubAck
/// that cannot come (a core subscriber would still have received the message).
/// </summary>
public sealed class NatsJetStreamUnavailableTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nats_streaming_on_a_server_without_JetStream_is_a_503_at_once_and_nothing_is_published()
    {
        await using var nats = await NatsServer.StartAsync(jetStream: false);
        await using var observer = await RawNatsClient.ConnectAsync(nats.Port);
        await observer.SubscribeAsync("orders.new");
        var logs = new RecordingLoggerProvider(output);
        await using var gateway = await GatewayFixture.StartAsync(logs: logs);
        await gateway.ApplyAsync($$"""
            name: stan
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{nats.Port}} }] }
            service_info: { type: nats-streaming }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /orders }
              single_destination: { function: { upstream_name: stan, function_name: orders.new } }
            """);

        for (var i = 0; i < 2; i++)
        {
            var started = Stopwatch.StartNew();
            using var response = await gateway.Client.PostAsync("/orders", new StringContent("x"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
            Assert.Equal("nats_jetstream_unavailable", response.Headers.GetValues("x-sluice-error").Single());
            Assert.Contains("JetStream is not enabled on the server; Gloo's NATS Streaming semantics need a stream: enable JetStream and add a stream, or set `jetstream: false` for core NATS", text);
            // op_timeout is 5 s: the answer does not wait for it.
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"took {started.Elapsed}");
        }
        Assert.False(observer.TryNext(out _));
        // Said once in the log (each 503 is logged as an answer too).
        Assert.Single(logs.Lines, line => line.Message.StartsWith("NATS upstream publishing to", StringComparison.Ordinal));
    }
}
