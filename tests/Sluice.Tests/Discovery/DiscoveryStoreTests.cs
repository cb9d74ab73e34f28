using System.Text.Json;
using Sluice.Api;
using Sluice.Storage;
using Sluice.Tests.Storage;

namespace Sluice.Tests.Discovery;

/// <summary>
/// The store contract for discovered records (<see cref="IDiscoveryStore"/>) on both stores:
/// versions, optimistic concurrency, files, and watchers hearing about a write.
/// </summary>
public sealed class DiscoveryStoreTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public DiscoveryStoreTests() => _dir.Write("upstreams/a.yaml", "name: a\ntype: static\nspec: { hosts: [{ addr: 127.0.0.1, port: 1 }] }\n");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Stores => new("file", "memory");

    private IDiscoveryStore Open(string kind)
    {
        if (kind == "file")
        {
            return new FileStore(_dir.Path, new FileStoreOptions { RescanInterval = TimeSpan.FromMinutes(5) });
        }
        var memory = new InMemoryStore();
        memory.Set(new Upstream { Name = "a", Type = "static" });
        return memory;
    }

    private static DiscoveryRecord Record(string source, params string[] functions) => new()
    {
        Source = source,
        ServiceInfo = new ServiceInfo { Type = "gRPC", Discovered = new DiscoveryOrigin { Source = source, DiscoveredAt = new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero) } },
        Functions = new(functions.Select(f => new UpstreamFunction
        {
            Name = f,
            Spec = new Struct(JsonDocument.Parse("""{"path": "/x/{{ id }}"}""").RootElement),
            Discovered = new DiscoveryOrigin { Source = source, DiscoveredAt = new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero) },
        })),
        Problems = new(["operation GET /y: skipped"]),
        Files = new Dictionary<string, ReadOnlyMemory<byte>> { ["grpc-discovery:a.descriptors"] = new byte[] { 1, 2, 3, 0, 255 } },
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Write_read_and_stale_versions(string kind)
    {
        var store = Open(kind);
        Assert.Null(await store.ReadDiscoveryAsync("a", CancellationToken.None));

        var written = await store.WriteDiscoveryAsync("a", Record("src", "f1", "f2"), CancellationToken.None);
        var read = await store.ReadDiscoveryAsync("a", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(written.Version, read.Version);
        Assert.True(read.SameContent(Record("src", "f1", "f2")));
        // A writer that read nothing (or an old version) is refused: someone wrote meanwhile.
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteDiscoveryAsync("a", Record("src", "f3"), CancellationToken.None));
        Assert.Contains("stale", stale.Message);
        var second = await store.WriteDiscoveryAsync("a", Record("src", "f3") with { Version = read.Version }, CancellationToken.None);
        Assert.NotEqual(read.Version, second.Version);

        var snapshot = await ((IConfigStore)store).LoadAsync(CancellationToken.None);
        Assert.Equal(["f3"], snapshot.Discovered["a"].Functions.Select(f => f.Name));
        Assert.Equal([1, 2, 3, 0, 255], snapshot.Files["grpc-discovery:a.descriptors"].ToArray());

        await store.DeleteDiscoveryAsync("a", CancellationToken.None);
        Assert.Null(await store.ReadDiscoveryAsync("a", CancellationToken.None));
        snapshot = await ((IConfigStore)store).LoadAsync(CancellationToken.None);
        Assert.Empty(snapshot.Discovered);
        Assert.False(snapshot.Files.ContainsKey("grpc-discovery:a.descriptors"));
    }

    [Fact]
    public async Task File_store_keeps_records_and_artifacts_under_sluice_discovery_and_never_in_the_users_files()
    {
        var before = _dir.Read("upstreams/a.yaml");
        var store = new FileStore(_dir.Path);

        await store.WriteDiscoveryAsync("a", Record("src", "f1"), CancellationToken.None);

        Assert.Equal(before, _dir.Read("upstreams/a.yaml"));
        Assert.True(_dir.Exists(".sluice/discovery/upstreams/a.json"));
        Assert.Equal([1, 2, 3, 0, 255], File.ReadAllBytes(_dir.PathOf(".sluice/discovery/files/grpc-discovery%3Aa.descriptors")));
        // A damaged record is nothing found (the next pass writes it again), not a broken store.
        _dir.Write(".sluice/discovery/upstreams/a.json", "{ not json");
        Assert.Empty((await store.LoadAsync(CancellationToken.None)).Discovered);
    }

    [Fact]
    public async Task A_write_by_another_process_is_a_change_for_file_store_watchers()
    {
        var watcher = new FileStore(_dir.Path, new FileStoreOptions { RescanInterval = TimeSpan.FromMinutes(5), Debounce = TimeSpan.FromMilliseconds(20) });
        await using var stream = new SnapshotStream(watcher);
        Assert.Empty((await stream.NextAsync(TimeSpan.FromSeconds(10)))!.Discovered);

        // Another FileStore instance: what `sluice discover` in another process does.
        await new FileStore(_dir.Path).WriteDiscoveryAsync("a", Record("src", "f1"), CancellationToken.None);

        var snapshot = await stream.WaitForAsync(s => s.Discovered.ContainsKey("a"), TimeSpan.FromSeconds(10));
        Assert.Equal(["f1"], snapshot.Discovered["a"].Functions.Select(f => f.Name));
    }

    [Fact]
    public async Task In_memory_store_watchers_hear_a_write()
    {
        var store = new InMemoryStore();
        store.Set(new Upstream { Name = "a", Type = "static" });
        await using var stream = new SnapshotStream(store);
        Assert.NotNull(await stream.NextAsync(TimeSpan.FromSeconds(5)));

        await store.WriteDiscoveryAsync("a", Record("src", "f1"), CancellationToken.None);

        Assert.True((await stream.NextAsync(TimeSpan.FromSeconds(5)))!.Discovered.ContainsKey("a"));
    }
}
