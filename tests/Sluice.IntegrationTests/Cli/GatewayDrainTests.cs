using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// The gateway as operators run it (the built binary, a real process): SIGTERM lets a request
/// already in flight finish, then the process exits 0.
/// </summary>
public sealed class GatewayDrainTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    [Fact]
    public async Task Sigterm_drains_a_two_second_request_and_exits_0()
    {
        await using var backend = await TestBackend.StartAsync("slow");
        _config.Write("upstreams/slow.yaml", $"name: slow\ntype: static\nspec: {{hosts: [{{addr: 127.0.0.1, port: {backend.Port}}}]}}\n");
        _config.Write("virtualservices/site.yaml", "name: site\nroutes:\n- request_matcher: {path_prefix: /}\n  single_destination: {upstream: {name: slow}}\n");
        await using var gateway = SluiceProcess.Start("gateway", "all", "--config-dir", _config.Path);
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

        // The test backend's /delay/MS answers after that long.
        var started = DateTime.UtcNow;
        var inFlight = client.GetAsync(gateway.Traffic + "/delay/2000");
        while (backend.Requests == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        Assert.True(backend.Requests > 0, "the request never reached the backend");
        var exitCode = gateway.TerminateAsync(TimeSpan.FromSeconds(30));

        using var response = await inFlight;
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.9), "the request did not wait for the backend");
        Assert.Equal(0, await exitCode);
    }

    public void Dispose() => _config.Dispose();
}
