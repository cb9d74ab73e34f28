using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Gateway;
using Sluice.Gateway.Endpoints;
using Sluice.Hosting;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A real Sluice gateway on loopback ports, fed from an in-memory store, with a client for its
/// HTTP port. <see cref="ApplyAsync"/> returns once the new configuration is being served.
/// Its log is recorded (and copied to the test's output when given); disposing it fails the test
/// when the gateway logged an error the test did not declare with <c>Logs.Expect</c>.
/// </summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    private GatewayFixture(SluiceServer server, IConfigStore store, GatewayOptions options, RecordingLoggerProvider logs)
    {
        Server = server;
        Logs = logs;
        ConfigStore = store;
        Options = options;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{options.HttpPort}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.AdminPort}") };
    }

    public SluiceServer Server { get; }

    /// <summary>Everything the gateway logged; declare expected errors here.</summary>
    public RecordingLoggerProvider Logs { get; }

    /// <summary>The in-memory store the gateway watches (unless another store was given).</summary>
    public InMemoryStore Store => (InMemoryStore)ConfigStore;

    public IConfigStore ConfigStore { get; }

    public GatewayOptions Options { get; }

    public HttpClient Client { get; }

    public HttpClient Admin { get; }

    public static async Task<GatewayFixture> StartAsync(GatewayOptions? options = null, IConfigStore? store = null, PluginRegistry? plugins = null, RecordingLoggerProvider? logs = null, ITestOutputHelper? output = null, EndpointSources? endpointSources = null)
    {
        logs ??= new RecordingLoggerProvider(output);
        var template = options ?? new GatewayOptions();
        store ??= new InMemoryStore();
        return await FreePorts.RetryOnConflictAsync(async () =>
        {
            var options = template with
            {
                Bind = System.Net.IPAddress.Loopback,
                HttpPort = FreePorts.Next(),
                Http2Port = FreePorts.Next(),
                HttpsPort = FreePorts.Next(),
                AdminPort = FreePorts.Next(),
            };
            var server = await SluiceServer.StartAsync(options, store, plugins ?? SluicePlugins.Default, logs, endpointSources: endpointSources);
            await server.Ready.WaitAsync(TimeSpan.FromSeconds(10));
            return new GatewayFixture(server, store, options, logs);
        });
    }

    /// <summary>Stores the YAML's objects (documents with <c>type</c> are upstreams) and waits until served.</summary>
    public Task ApplyAsync(string yaml) => ApplyAsync(TestConfig.Read(yaml));

    public async Task ApplyAsync(IReadOnlyList<IConfigObject> objects)
    {
        Store.Set([.. objects]);
        var expected = await Store.LoadAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!IsApplied(expected))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The gateway did not apply the configuration within 10 s.");
            }
            await Task.Delay(5);
        }
    }

    public async Task<EchoResponse> GetEchoAsync(string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        using var response = await Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EchoResponse>())!;
    }

    private bool IsApplied(ConfigSnapshot expected)
    {
        var latest = Server.Loop.Latest?.Snapshot;
        if (latest is null)
        {
            return false;
        }
        static IEnumerable<(string, string?)> Versions(ConfigSnapshot s) =>
            s.Upstreams.Select(u => (u.Name, u.Metadata.ResourceVersion))
                .Concat(s.VirtualServices.Select(v => ("vs/" + v.Name, v.Metadata.ResourceVersion)));
        return Versions(latest).SequenceEqual(Versions(expected));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
        // After the server: errors its loops log while stopping count too.
        Logs.AssertNoUnexpectedErrors();
    }
}
