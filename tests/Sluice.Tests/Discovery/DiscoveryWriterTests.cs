using System.Text.Json;
using Sluice.Api;
using Sluice.Discovery;
using Sluice.Storage;

namespace Sluice.Tests.Discovery;

/// <summary>How discovery writes: optimistic, retried on conflict, and only when something changed.</summary>
public sealed class DiscoveryWriterTests
{
    private static SourceResult Found(params string[] names) => new()
    {
        Outcome = SourceOutcome.Found,
        Source = "http://a/openapi.json",
        ServiceInfo = new ServiceInfo { Type = "REST" },
        Functions = [.. names.Select(n => new UpstreamFunction { Name = n, Spec = new Struct(JsonDocument.Parse("{}").RootElement) })],
    };

    [Fact]
    public async Task A_conflicting_write_is_retried_on_the_fresh_record()
    {
        var store = new RacingStore(new InMemoryStore());
        var writer = new DiscoveryWriter(store, TimeProvider.System);

        Assert.True(await writer.WriteAsync("a", Found("mine"), CancellationToken.None));

        Assert.Equal(1, store.Conflicts);
        var record = await store.ReadDiscoveryAsync("a", CancellationToken.None);
        Assert.Equal(["mine"], record!.Functions.Select(f => f.Name));
    }

    [Fact]
    public async Task An_unchanged_result_writes_nothing_and_a_failure_keeps_what_was_found()
    {
        var store = new InMemoryStore();
        var writer = new DiscoveryWriter(store, TimeProvider.System);
        Assert.True(await writer.WriteAsync("a", Found("f"), CancellationToken.None));
        var first = await store.ReadDiscoveryAsync("a", CancellationToken.None);

        Assert.False(await writer.WriteAsync("a", Found("f"), CancellationToken.None));
        Assert.Equal(first!.Version, (await store.ReadDiscoveryAsync("a", CancellationToken.None))!.Version);

        Assert.True(await writer.WriteAsync("a", SourceResult.Failed("http://a/openapi.json", "GET http://a/openapi.json answered 500"), CancellationToken.None));
        var failed = await store.ReadDiscoveryAsync("a", CancellationToken.None);
        Assert.Equal(["f"], failed!.Functions.Select(f => f.Name));
        Assert.Equal(["GET http://a/openapi.json answered 500"], failed.Problems);
    }

    /// <summary>Lets another writer in before the first write of the caller, once.</summary>
    private sealed class RacingStore(InMemoryStore inner) : IDiscoveryStore
    {
        public int Conflicts { get; private set; }

        private bool _raced;

        public Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken) => inner.ReadDiscoveryAsync(upstream, cancellationToken);

        public async Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken)
        {
            if (!_raced)
            {
                _raced = true;
                var current = await inner.ReadDiscoveryAsync(upstream, cancellationToken);
                await inner.WriteDiscoveryAsync(upstream, new DiscoveryRecord { Source = "other", Version = current?.Version }, cancellationToken);
            }
            try
            {
                return await inner.WriteDiscoveryAsync(upstream, record, cancellationToken);
            }
            catch (StoreConflictException)
            {
                Conflicts++;
                throw;
            }
        }

        public Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken) => inner.DeleteDiscoveryAsync(upstream, cancellationToken);
    }
}
