using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using Sluice.IntegrationTests.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Robustness;

/// <summary>
/// One built <c>sluice run</c> process for every hostile-client and hostile-upstream test, with
/// routes to an echo backend and to upstreams that misbehave on purpose (raw sockets, a fake
/// Lambda endpoint and an Azure host that answer garbage, a real nats-server that will be
/// stopped). The tests share it because surviving all of them, one after another, is the point;
/// after each, it must still serve within a second, its memory must come back near the baseline,
/// and its log must hold no error the test did not expect.
/// </summary>
public sealed class AttackedGateway : IAsyncLifetime
{
    /// <summary>Generous: the runtime keeps freed heap for a while, but a leak per attack would pass it.</summary>
    private const long MemoryMarginBytes = 96L * 1024 * 1024;

    private readonly ConfigFolder _config = new();
    private readonly List<IAsyncDisposable> _upstreams = [];
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _expected = new();
    private long _baselineBytes;

    internal SluiceProcess Process { get; private set; } = null!;

    internal NatsServer Nats { get; private set; } = null!;

    public HttpClient Client => _client;

    /// <summary>The slowloris limit the process runs with (the shipped default is 10 s; shorter keeps the test short).</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(3);

    public async Task InitializeAsync()
    {
        var echo = Keep(await TestBackend.StartAsync());
        var resetInHeaders = Keep(ScriptedUpstream.Start(async socket =>
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Ty"u8.ToArray());
            ScriptedUpstream.Reset(socket);
        }));
        var resetInBody = Keep(ScriptedUpstream.Start(async socket =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"name\": \"" + new string('a', 4000)));
            await Task.Delay(50);
            ScriptedUpstream.Reset(socket);
        }));
        var badStatus = Keep(ScriptedUpstream.Answering("HTTP/1.1 two hundred OK\r\nContent-Length: 0\r\n\r\n"));
        var manyHeaders = Keep(ScriptedUpstream.Answering(
            "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $"x-header-{i}: value\r\n")) + "Content-Length: 0\r\n\r\n"));
        var silent = Keep(ScriptedUpstream.Start(_ => Task.CompletedTask));
        var endless = Keep(ScriptedUpstream.Start(async socket =>
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
            while (true)
            {
                await socket.SendAsync("1\r\na\r\n"u8.ToArray());
                await Task.Delay(100);
            }
        }));
        var bomb = GzipBomb(64 * 1024 * 1024);
        var gzipBomb = Keep(ScriptedUpstream.Start(async socket =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\n\r\n"));
            await socket.SendAsync(bomb);
        }));
        var gzipJson = Gzip("{\"name\": \"rex\"}"u8.ToArray());
        var gzipOk = Keep(ScriptedUpstream.Start(async socket =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {gzipJson.Length}\r\n\r\n"));
            await socket.SendAsync(gzipJson);
        }));
        var notJson = Keep(ScriptedUpstream.Answering("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"name\": \"rex\""));
        // The Lambda Invoke API answering 200 with a payload that is no API Gateway proxy result
        // (not even JSON), and an Azure Functions host whose answer is not HTTP.
        var lambda = Keep(ScriptedUpstream.Answering("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n<html>oops"));
        var azure = Keep(ScriptedUpstream.Answering("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
        Nats = await NatsServer.StartAsync(jetStream: false);
        _upstreams.Add(Nats);

        Static("echo", echo.Port);
        Static("reset-in-headers", resetInHeaders.Port);
        Static("reset-in-body", resetInBody.Port);
        Static("bad-status", badStatus.Port);
        Static("many-headers", manyHeaders.Port);
        Static("silent", silent.Port);
        Static("endless", endless.Port);
        Rest("gzip-bomb", gzipBomb.Port);
        Rest("gzip-ok", gzipOk.Port);
        Rest("not-json", notJson.Port);
        Rest("reset-in-body-rest", resetInBody.Port);
        _config.Write("secrets/aws", "access_key: AKIDEXAMPLE\nsecret_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
        _config.Write("upstreams/lambda.yaml", $$"""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:{{lambda.Port}}" }
            functions: [{ name: echo, spec: { function_name: echo } }]
            """);
        _config.Write("upstreams/azure.yaml", $$"""
            name: azure
            type: azure
            spec: { function_app_name: my-app, endpoint: "http://127.0.0.1:{{azure.Port}}" }
            functions: [{ name: open, spec: { function_name: open, auth_level: anonymous } }]
            """);
        _config.Write("upstreams/nats.yaml", $$"""
            name: nats
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{Nats.Port}} }] }
            service_info: { type: nats, properties: { jetstream: false, op_timeout: 1s } }
            """);
        _config.Write("virtualservices/default.yaml", """
            name: default
            routes:
            - { request_matcher: { path_prefix: /reset-in-headers }, single_destination: { upstream: { name: reset-in-headers } } }
            - { request_matcher: { path_prefix: /reset-in-body }, single_destination: { upstream: { name: reset-in-body } } }
            - { request_matcher: { path_prefix: /bad-status }, single_destination: { upstream: { name: bad-status } } }
            - { request_matcher: { path_prefix: /many-headers }, single_destination: { upstream: { name: many-headers } } }
            - { request_matcher: { path_prefix: /silent }, single_destination: { upstream: { name: silent } }, extensions: { timeout: 1s } }
            - { request_matcher: { path_prefix: /endless }, single_destination: { upstream: { name: endless } }, extensions: { timeout: 1s } }
            - request_matcher: { path_prefix: /rest/gzip-bomb }
              single_destination: { function: { upstream_name: gzip-bomb, function_name: get } }
              extensions: { response_transformation: { body: "name={{ name }}" } }
            - request_matcher: { path_prefix: /rest/gzip-ok }
              single_destination: { function: { upstream_name: gzip-ok, function_name: get } }
              extensions: { response_transformation: { body: "name={{ name }}" } }
            - request_matcher: { path_prefix: /rest/not-json }
              single_destination: { function: { upstream_name: not-json, function_name: get } }
              extensions: { response_transformation: { body: "name={{ name }}" } }
            - request_matcher: { path_prefix: /rest/reset-in-body }
              single_destination: { function: { upstream_name: reset-in-body-rest, function_name: get } }
              extensions: { response_transformation: { body: "name={{ name }}" } }
            - request_matcher: { path_prefix: /lambda }
              single_destination: { function: { upstream_name: lambda, function_name: echo } }
              extensions: { unwrap_as_api_gateway: true }
            - { request_matcher: { path_prefix: /azure }, single_destination: { function: { upstream_name: azure, function_name: open } } }
            - { request_matcher: { path_prefix: /nats }, single_destination: { function: { upstream_name: nats, function_name: events } } }
            - { request_matcher: { path_prefix: /refuses-upgrade }, single_destination: { upstream: { name: echo } }, prefix_rewrite: /status/403 }
            - { request_matcher: { path_prefix: / }, single_destination: { upstream: { name: echo } } }
            """);

        Process = SluiceProcess.Start("attacked", "all", "--config-dir", _config.Path,
            "--request-headers-timeout", RequestHeadersTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Process.WaitReadyAsync(TimeSpan.FromSeconds(60));
        // Warm up (JIT, pools, the NATS connection) before the baseline, so growth means the attacks.
        for (var i = 0; i < 200; i++)
        {
            using var response = await _client.GetAsync(Process.Traffic + "/warm-up");
            response.EnsureSuccessStatusCode();
        }
        _baselineBytes = ResidentBytes();
    }

    /// <summary>After an attack: a normal request answers within one second.</summary>
    public async Task AssertServesWithinOneSecondAsync()
    {
        var clock = Stopwatch.StartNew();
        using var fresh = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await fresh.GetAsync(Process.Traffic + "/after-attack");
        clock.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"a normal request took {clock.ElapsedMilliseconds} ms after the attack");
        Assert.False(Process.HasExited, "the gateway exited:\n" + Process.Output);
    }

    /// <summary>Resident memory comes back within the margin of the baseline (waits for it: a GC may be pending).</summary>
    public async Task AssertMemoryNearBaselineAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long resident;
        while ((resident = ResidentBytes()) > _baselineBytes + MemoryMarginBytes && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.True(resident <= _baselineBytes + MemoryMarginBytes,
            $"resident memory {resident / 1024 / 1024} MiB stayed above the baseline {_baselineBytes / 1024 / 1024} MiB + {MemoryMarginBytes / 1024 / 1024} MiB");
    }

    /// <summary>
    /// Declares that error lines containing <paramref name="fragment"/> are an attack's expected
    /// trace, and <paramref name="reason"/> why. The lines stay in the process's log, so the
    /// declaration holds for the tests that run after it too.
    /// </summary>
    public void Expect(string fragment, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _expected[fragment] = reason;
    }

    /// <summary>No error-level line and no unhandled exception in the process's log, except declared ones.</summary>
    public void AssertLogClean()
    {
        var unexpected = Process.ErrorLines.Where(line => !_expected.Keys.Any(e => line.Contains(e, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "unexpected error lines in the gateway's log:\n" + string.Join('\n', unexpected) + "\n--- tail of the log:\n" + Process.Output);
    }

    /// <summary>All three checks, after every attack.</summary>
    public async Task AssertSurvivedAsync()
    {
        await AssertServesWithinOneSecondAsync();
        await AssertMemoryNearBaselineAsync();
        AssertLogClean();
    }

    private long ResidentBytes()
    {
        // VmRSS is in kB (KiB) in /proc/<pid>/status.
        var line = File.ReadLines($"/proc/{Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private T Keep<T>(T upstream)
        where T : IAsyncDisposable
    {
        _upstreams.Add(upstream);
        return upstream;
    }

    private void Static(string name, int port) =>
        _config.Write($"upstreams/{name}.yaml", $"name: {name}\ntype: static\nspec: {{hosts: [{{addr: 127.0.0.1, port: {port}}}]}}\n");

    private void Rest(string name, int port) => _config.Write($"upstreams/{name}.yaml", $$"""
        name: {{name}}
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
        service_info: { type: REST }
        functions: [{ name: get, spec: { path: /thing, headers: { ":method": GET } } }]
        """);

    /// <summary>Gzip of <paramref name="decodedBytes"/> zero bytes: about a thousandth of that on the wire.</summary>
    private static byte[] GzipBomb(int decodedBytes) => Gzip(new byte[decodedBytes]);

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    public async Task DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
        foreach (var upstream in _upstreams)
        {
            await upstream.DisposeAsync();
        }
        _client.Dispose();
        _config.Dispose();
    }
}
