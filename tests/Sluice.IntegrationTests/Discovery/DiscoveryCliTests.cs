using System.Net;
using System.Text.Json;
using Sluice.Cli;
using Sluice.Cli.SampleBackend;
using Sluice.IntegrationTests.Cli;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// <c>examples/discovery</c> as a user runs it: the bundled sample backend serves its OpenAPI
/// document, <c>sluice discover</c> finds the functions, <c>sluice function get</c> and
/// <c>sluice get -o yaml</c> show them as discovered, and <c>sluice run</c> (discovery inside,
/// role all) serves a route to a discovered function and reports in <c>/api/v1/discovery</c> and
/// <c>/metrics</c>.
/// </summary>
public sealed class DiscoveryCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-discovery-example").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The example, pointed at a sample backend on a free port.</summary>
    private void CopyExample(int port)
    {
        var example = Path.Combine(ValidateCommandTests.RepositoryRoot(), "examples", "discovery");
        foreach (var file in Directory.GetFiles(example, "*.yaml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_dir, Path.GetRelativePath(example, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, File.ReadAllText(file).Replace("port: 9090", $"port: {port}"));
        }
    }

    [Fact]
    public async Task Discover_then_function_get_and_get_yaml_show_discovered_functions()
    {
        await using var backend = await SampleBackendServer.StartAsync(IPAddress.Loopback, 0, CancellationToken.None);
        CopyExample(backend.Address.Port);
        var before = File.ReadAllText(Path.Combine(_dir, "upstreams", "sample.yaml"));

        var discover = (await CliRun.RunAsync("discover", "--config-dir", _dir)).AssertExit(0);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(discover.Out, @"sample\s+found\s+3\s+http://127\.0\.0\.1:\d+/openapi\.json"), discover.Out);

        var functions = (await CliRun.RunAsync("function", "get", "-u", "sample", "--config-dir", _dir)).AssertExit(0);
        Assert.Matches(@"sample\s+createOrder\s+discovered\s+http://127\.0\.0\.1:\d+/openapi\.json\s+\d{4}-\d\d-\d\dT", functions.Out);
        Assert.Matches(@"sample\s+greet\s+discovered", functions.Out);

        var yaml = (await CliRun.RunAsync("get", "upstream", "sample", "-o", "yaml", "--config-dir", _dir)).AssertExit(0);
        Assert.Contains("name: greet", yaml.Out);
        Assert.Matches(@"discovered:\s+source: http://127\.0\.0\.1:\d+/openapi\.json\s+discovered_at: '?\d{4}-", yaml.Out);
        Assert.Contains("type: REST", yaml.Out);

        Assert.Equal(before, File.ReadAllText(Path.Combine(_dir, "upstreams", "sample.yaml")));
        Assert.True(File.Exists(Path.Combine(_dir, ".sluice", "discovery", "upstreams", "sample.json")));

        (await CliRun.RunAsync("discover", "--config-dir", _dir, "--discovery", "sometimes")).AssertExit(1).AssertNoStackTrace();
    }

    [Fact]
    public async Task Run_discovers_and_serves_a_route_to_a_discovered_function()
    {
        await using var backend = await SampleBackendServer.StartAsync(IPAddress.Loopback, 0, CancellationToken.None);
        CopyExample(backend.Address.Port);
        var (http, admin) = (Infrastructure.FreePorts.Next(), Infrastructure.FreePorts.Next());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Program.RunAsync(
            ["run", "--config-dir", _dir, "--bind", "127.0.0.1", "--http-port", http.ToString(), "--http2-port", "0", "--https-port", "0", "--admin-port", admin.ToString()],
            TextWriter.Synchronized(new StringWriter()), TextWriter.Synchronized(new StringWriter()), cancellationToken: stop.Token);

        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string body;
        while (true)
        {
            Assert.False(run.IsCompleted, "sluice run ended early");
            try
            {
                using var response = await client.GetAsync($"http://localhost:{http}/greet/ada");
                body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                body = "(not listening yet)";
            }
            Assert.True(DateTime.UtcNow < deadline, $"no 200 from /greet/ada within 30 s: {body}");
            await Task.Delay(100);
        }
        using (var echo = JsonDocument.Parse(body))
        {
            Assert.Equal("/greetings/ada", echo.RootElement.GetProperty("path").GetString());
            Assert.Equal("?lang=", echo.RootElement.GetProperty("query_string").GetString());
        }

        using var discovery = JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{admin}/api/v1/discovery"));
        Assert.Equal("opt-in", discovery.RootElement.GetProperty("mode").GetString());
        var state = Assert.Single(discovery.RootElement.GetProperty("upstreams").EnumerateArray());
        Assert.Equal("sample", state.GetProperty("upstream").GetString());
        Assert.Equal("found", state.GetProperty("state").GetString());
        Assert.Equal(3, state.GetProperty("functions").GetInt32());
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{admin}/metrics");
        Assert.Contains("sluice_discovery_functions{upstream=\"sample\"} 3", metrics);
        Assert.Contains("sluice_discovery_upstream_state{upstream=\"sample\",state=\"found\"} 1", metrics);

        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
