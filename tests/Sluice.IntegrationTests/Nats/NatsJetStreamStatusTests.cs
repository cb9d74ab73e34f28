using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Nats;

/// <summary>
/// Whether a server has JetStream is known only once connected (its INFO), after translation:
/// the gateway merges that finding into the upstream's status and writes it back to the real
/// file store, and writes it again when the server is replaced by one with JetStream.
/// </summary>
public sealed class NatsJetStreamStatusTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-nats-status-").FullName;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "upstreams"));
        Directory.CreateDirectory(Path.Combine(_dir, "virtualservices"));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_server_without_JetStream_is_a_Warning_in_the_stored_status_until_one_with_JetStream_replaces_it()
    {
        await using var nats = await NatsServer.StartAsync(jetStream: false);
        WriteUpstream(nats.Port);
        File.WriteAllText(Path.Combine(_dir, "virtualservices", "default.yaml"), """
            name: default
            routes:
            - request_matcher: { path_prefix: /orders }
              single_destination: { function: { upstream_name: stan, function_name: orders.new } }
            """);
        await using var gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir));

        var warned = await StoredStatusAsync(s => s.State == StatusState.Warning);
        Assert.Equal("JetStream is not enabled on the server; Gloo's NATS Streaming semantics need a stream: enable JetStream and add a stream, or set `jetstream: false` for core NATS", warned.Reason);
        // The translator's own verdict is unchanged: the finding is the running gateway's.
        Assert.Equal(StatusState.Accepted, gateway.Server.Loop.Latest!.Result.Reports.Single(r => r.Name == "stan").Status.State);

        await nats.RestartAsync(jetStream: true);
        var cleared = await StoredStatusAsync(s => s.State == StatusState.Accepted);
        Assert.Null(cleared.Reason);
    }

    [Fact]
    public async Task Setting_jetstream_false_clears_the_Warning_on_the_same_connection()
    {
        await using var nats = await NatsServer.StartAsync(jetStream: false);
        WriteUpstream(nats.Port);
        await using var gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir));
        await StoredStatusAsync(s => s.State == StatusState.Warning);

        WriteUpstream(nats.Port, jetStream: false);
        await StoredStatusAsync(s => s.State == StatusState.Accepted);
    }

    [Fact]
    public async Task Moving_the_upstream_to_a_server_with_JetStream_clears_the_Warning_without_waiting_for_the_old_connection()
    {
        await using var without = await NatsServer.StartAsync(jetStream: false);
        await using var with = await NatsServer.StartAsync();
        WriteUpstream(without.Port);
        await using var gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir));
        await StoredStatusAsync(s => s.State == StatusState.Warning);

        // A new connection; the old one is disposed only after in-flight requests had time to finish (minutes).
        WriteUpstream(with.Port);
        await StoredStatusAsync(s => s.State == StatusState.Accepted);
    }

    /// <summary>
    /// Upstream <c>stan</c>, Gloo's <c>nats-streaming</c>, on the server at <paramref name="port"/>;
    /// written whole and renamed into place, as the CLI writes, so the gateway never reads half a file.
    /// </summary>
    private void WriteUpstream(int port, bool jetStream = true)
    {
        var path = Path.Combine(_dir, "upstreams", "stan.yaml");
        File.WriteAllText(path + ".tmp", Upstream(port, jetStream));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string Upstream(int port, bool jetStream) => $$"""
        name: stan
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
        service_info: { type: nats-streaming{{(jetStream ? "" : ", properties: { jetstream: false }")}} }
        """;

    /// <summary>The status of upstream <c>stan</c> as stored, read the way the CLI reads it, once it matches.</summary>
    private async Task<Status> StoredStatusAsync(Func<Status, bool> wanted)
    {
        var reader = new FileStore(_dir, new FileStoreOptions { ReadOnly = true });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Status? status = null;
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = await reader.LoadAsync(CancellationToken.None);
            status = snapshot.Upstreams.SingleOrDefault(u => u.Name == "stan")?.Status;
            if (status is not null && wanted(status))
            {
                return status;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"the stored status of 'stan' did not become as expected within 30 s; it is {status}");
    }
}
