using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Gateway;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>StatsD datagrams arriving on a real UDP socket: counters and timers with DogStatsD tags.</summary>
public sealed class StatsdTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Requests_retries_and_reloads_arrive_as_counters_and_timers()
    {
        using var collector = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)collector.Client.LocalEndPoint!).Port;
        await using var backend = await TestBackend.StartAsync();
        await using (var gateway = await GatewayFixture.StartAsync(new GatewayOptions
        {
            Statsd = new StatsdOptions { Host = "127.0.0.1", Port = port, Prefix = "edge" },
        }, output: output))
        {
            await gateway.ApplyAsync(TestConfig.Upstream("backend", backend.Port) + """
                name: default
                routes:
                - request_matcher: { path_prefix: / }
                  single_destination: { upstream: { name: backend } }
                  extensions: { max_retries: 1 }
                """);
            using (var ok = await gateway.Client.GetAsync("/a"))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }
            backend.FailNext(1);
            using (var retried = await gateway.Client.GetAsync("/b"))
            {
                Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            }
        }   // disposing sends what is still queued

        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        const string tags = "virtual_service:default,route:default/0,upstream:backend";
        while (lines.Count(l => l.StartsWith("edge.requests:", StringComparison.Ordinal)) < 2 || !lines.Any(l => l.StartsWith("edge.upstream.retries", StringComparison.Ordinal)))
        {
            var datagram = await collector.ReceiveAsync(timeout.Token);
            Assert.True(datagram.Buffer.Length <= 1432);
            lines.AddRange(Encoding.UTF8.GetString(datagram.Buffer).Split('\n'));
        }

        Assert.Equal(2, lines.Count(l => l == $"edge.requests:1|c|#{tags},status_class:2xx"));
        Assert.Equal(2, lines.Count(l => l.StartsWith("edge.request.duration:", StringComparison.Ordinal) && l.EndsWith($"|ms|#{tags}", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.StartsWith("edge.upstream.duration:", StringComparison.Ordinal) && l.EndsWith($"|ms|#{tags}", StringComparison.Ordinal)));
        Assert.Equal([$"edge.upstream.retries:1|c|#{tags}"], lines.Where(l => l.StartsWith("edge.upstream.retries", StringComparison.Ordinal)));
        Assert.Contains("edge.config.reloads:1|c|#result:success", lines);
        Assert.Contains(lines, l => l.StartsWith("edge.config.reload.duration:", StringComparison.Ordinal) && l.EndsWith("|ms", StringComparison.Ordinal));
        var duration = lines.First(l => l.StartsWith("edge.request.duration:", StringComparison.Ordinal));
        Assert.InRange(double.Parse(duration["edge.request.duration:".Length..duration.IndexOf('|')], System.Globalization.CultureInfo.InvariantCulture), 0.001, 30_000);
    }
}
