using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>Passive health: an endpoint failing real requests is ejected, longer each time.</summary>
[Collection(TimingCollection.Name)]
public sealed class OutlierDetectionTests(ITestOutputHelper output) : GatewayTest(output)
{
    private TestBackendPool _backends = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _backends = await TestBackendPool.StartAsync(3);
        await Gateway.ApplyAsync(_backends.Upstream("outlier_detection: { consecutive_5xx: 3, base_ejection_time: 3s, max_ejection_percent: 50 }") + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: pool } }
            """);
    }

    public override async Task DisposeAsync()
    {
        await _backends.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Failing_endpoint_is_ejected_then_readmitted_and_ejected_longer_next_time()
    {
        _backends[1].FailNext(1000, 500);

        // Round robin: b1 sees every third request; its third 500 in a row ejects it. The 3 s
        // ejection is long beside 30 requests, even on a loaded machine.
        Assert.Equal(3, await FailuresInAsync(30));
        Assert.Equal(3, _backends[1].Requests);
        Assert.True(await EjectedAsync(_backends[1].Port));

        // The first ejection ends; b1 is tried again, fails three more times, and goes out for
        // twice as long (6 s). Timed from before those requests, so the ejection started later
        // than the clock and the bound below holds however slow the machine is.
        await WaitUntilReadmittedAsync(_backends[1].Port, TimeSpan.FromSeconds(15));
        var second = Stopwatch.StartNew();
        Assert.Equal(3, await FailuresInAsync(30));
        Assert.Equal(0, await FailuresInAsync(12));
        Assert.True(await EjectedAsync(_backends[1].Port));

        // Healthy again: once the second ejection ends, b1 takes its share and stays in.
        _backends[1].FailNext(0);
        await WaitUntilReadmittedAsync(_backends[1].Port, TimeSpan.FromSeconds(15));
        Assert.True(second.Elapsed >= TimeSpan.FromSeconds(5.9), $"the second ejection lasted {second.Elapsed.TotalSeconds:F1} s, not twice the first's 3 s");
        var before = _backends[1].Requests;
        Assert.Equal(0, await FailuresInAsync(30));
        Assert.True(_backends[1].Requests - before >= 9, "b1 did not take its share after readmission");
    }

    private async Task WaitUntilReadmittedAsync(int port, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (await EjectedAsync(port))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the endpoint was still ejected after {limit}");
            await Task.Delay(50);
        }
    }

    private async Task<int> FailuresInAsync(int requests)
    {
        var failures = 0;
        for (var i = 0; i < requests; i++)
        {
            using var response = await Gateway.Client.GetAsync("/");
            failures += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
        }
        return failures;
    }

    private async Task<bool> EjectedAsync(int port)
    {
        var clusters = JsonNode.Parse(await Gateway.Admin.GetStringAsync("/api/v1/clusters"))!.AsArray();
        return (bool)clusters.Single()!["endpoints"]!.AsArray()
            .Single(e => ((string?)e!["address"])!.EndsWith($":{port}", StringComparison.Ordinal))!["ejected"]!;
    }
}
