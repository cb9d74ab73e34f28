using System.Diagnostics;
using Sluice.Storage;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// Steady traffic while a user's config folder changes 100 times: no request may fail, and each
/// change must be served soon after the file is written. How soon is measured on a quiet machine
/// by bench/propagation.sh; here the bound (5 s) is one a loaded 2-core machine keeps.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ReloadUnderTrafficTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _configDir = Directory.CreateTempSubdirectory("sluice-reload-").FullName;
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        Directory.CreateDirectory(Path.Combine(_configDir, "upstreams"));
        Directory.CreateDirectory(Path.Combine(_configDir, "virtualservices"));
        File.WriteAllText(Path.Combine(_configDir, "upstreams", "backend.yaml"), TestConfig.Upstream("backend", _backend.Port));
        File.WriteAllText(VirtualServiceFile, Config(0));
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_configDir), output: output);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    private static readonly TimeSpan ChangeBound = TimeSpan.FromSeconds(5);

    private string VirtualServiceFile => Path.Combine(_configDir, "virtualservices", "default.yaml");

    [Fact]
    public async Task Hundred_changes_under_load_lose_no_request()
    {
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var served = 0;

        // Four steady clients on the stable route, each on its own kept-alive connection.
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await _gateway.Client.GetAsync("/stable");
                    if (!response.IsSuccessStatusCode)
                    {
                        var failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                        lock (failures)
                        {
                            failures.Add(failure);
                        }
                    }
                    Interlocked.Increment(ref served);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        })).ToArray();

        // One change first, untimed: the gateway's status writes after its first plan and the
        // folder watcher's first event are start-up work, not what the 1 s bound is about.
        await File.WriteAllTextAsync(VirtualServiceFile, Config(1000));
        var warmUp = Stopwatch.StartNew();
        while (!await ServesAsync(1000))
        {
            Assert.True(warmUp.Elapsed < TimeSpan.FromSeconds(10), "the first change was not served within 10 s");
            await Task.Delay(10);
        }

        var slowest = TimeSpan.Zero;
        for (var version = 1; version <= 100; version++)
        {
            var stopwatch = Stopwatch.StartNew();
            // Written in place, as an editor without atomic saves would: a half-written file
            // must cost nothing (the last good version keeps serving).
            await File.WriteAllTextAsync(VirtualServiceFile, Config(version));
            // Served = the new route answers with the new version's header.
            while (!await ServesAsync(version))
            {
                Assert.True(stopwatch.Elapsed < ChangeBound, $"change {version} was not served within {ChangeBound.TotalSeconds} s");
                await Task.Delay(2);
            }
            slowest = stopwatch.Elapsed > slowest ? stopwatch.Elapsed : slowest;
        }
        var servedDuringReloads = Volatile.Read(ref served);

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Empty(failures);
        // Each change takes a watcher round trip (~100 ms debounce), so traffic spans all of them.
        output.WriteLine($"slowest change: {slowest.TotalMilliseconds:F0} ms; {servedDuringReloads} requests during the reloads");
        Assert.True(servedDuringReloads > 100, $"only {servedDuringReloads} requests were sent during the reloads");
    }

    /// <summary>Served = the version's own route answers with the version's header.</summary>
    private async Task<bool> ServesAsync(int version)
    {
        using var response = await _gateway.Client.GetAsync($"/v{version}");
        return response.IsSuccessStatusCode && response.Headers.TryGetValues("x-version", out var values) && values.Single() == version.ToString();
    }

    private static string Config(int version) => $$"""
        name: default
        routes:
        - request_matcher: { path_prefix: /stable }
          single_destination: { upstream: { name: backend } }
        - request_matcher: { path_prefix: /v{{version}} }
          single_destination: { upstream: { name: backend } }
          extensions: { add_response_headers: [{ key: x-version, value: "{{version}}" }] }
        """;
}
