using Sluice.Api;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;

namespace Sluice.Tests.Storage;

[Collection(TimingCollection.Name)]
public sealed class FileStoreWatchTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A rescan slow enough that only file-system events can explain a fast snapshot.</summary>
    private FileStore EventsOnly(TimeSpan? debounce = null) =>
        new(_dir.Path, new FileStoreOptions { RescanInterval = TimeSpan.FromMinutes(5), Debounce = debounce ?? TimeSpan.FromMilliseconds(100) });

    [Fact]
    public async Task Yields_the_current_snapshot_at_once()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await using var stream = new SnapshotStream(EventsOnly());

        var first = await stream.NextAsync(TimeSpan.FromSeconds(2));

        Assert.NotNull(first);
        Assert.Equal("a", Assert.Single(first.Upstreams).Name);
    }

    [Fact]
    public async Task A_change_arrives_by_event_not_by_the_rescan()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await using var stream = new SnapshotStream(EventsOnly());
        await stream.NextAsync(Wait);

        // Well within a second on a quiet machine (the 100 ms debounce); the wait only has to
        // tell an event from the 5-minute rescan, so it is one a loaded machine keeps.
        var pending = stream.NextAsync(Wait);
        _dir.Write("upstreams/b.yaml", Yaml.Upstream("b"));
        var next = await pending;

        Assert.NotNull(next);
        Assert.Equal(["a", "b"], next.Upstreams.Select(u => u.Name));
    }

    [Fact]
    public async Task A_burst_of_writes_becomes_one_snapshot()
    {
        // A quiet window far longer than the gaps, so a busy machine's late timers cannot split
        // the burst; what is tested is that the window exists at all.
        await using var stream = new SnapshotStream(EventsOnly(TimeSpan.FromMilliseconds(1500)));
        await stream.NextAsync(Wait);

        // The watch must already be waiting (a watch is pulled, and a late pull would see only
        // the end of the burst anyway).
        var pending = stream.NextAsync(Wait);
        // Spread over ~150 ms, as a slow `cp -r` or a script would: without the quiet time the
        // first write alone would make a snapshot.
        for (var port = 1; port <= 6; port++)
        {
            _dir.Write("upstreams/a.yaml", Yaml.Upstream("a", port));
            await Task.Delay(30);
        }
        _dir.Write("virtualservices/vs.yaml", Yaml.VirtualService("vs"));
        var next = await pending;
        var extra = await stream.NextAsync(TimeSpan.FromSeconds(3));

        Assert.NotNull(next);
        Assert.Equal(6, Assert.Single(next.Upstreams).Spec.Root.GetProperty("hosts")[0].GetProperty("port").GetInt32());
        Assert.Single(next.VirtualServices);
        Assert.Null(extra);
    }

    [Fact]
    public async Task Status_writes_and_noise_do_not_trigger_a_snapshot()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        var options = new FileStoreOptions { RescanInterval = TimeSpan.FromMilliseconds(150), Debounce = TimeSpan.FromMilliseconds(20) };
        var store = new FileStore(_dir.Path, options);
        await using var stream = new SnapshotStream(store);
        await stream.NextAsync(Wait);

        await store.WriteStatusAsync(ConfigKind.Upstream, "a", "1", Status.Accepted, CancellationToken.None);
        _dir.Write("upstreams/.a.yaml.swp", "editor noise");
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a")); // same bytes again
        var none = await stream.NextAsync(TimeSpan.FromMilliseconds(800));

        Assert.Null(none);
        // The watch is alive: a real change still comes through.
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a", 1));
        Assert.NotNull(await stream.NextAsync(Wait));
    }

    [Fact]
    public async Task A_half_written_file_gives_an_error_snapshot_then_a_good_one()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await using var stream = new SnapshotStream(EventsOnly());
        await stream.NextAsync(Wait);

        var full = Yaml.Upstream("a", 9);
        _dir.Write("upstreams/a.yaml", full[..(full.IndexOf("port", StringComparison.Ordinal) - 8)] + "  - {addr: ");
        var broken = await stream.WaitForAsync(s => s.LoadErrors.Count > 0, Wait);
        _dir.Write("upstreams/a.yaml", full);
        var repaired = await stream.WaitForAsync(s => s.LoadErrors.Count == 0, Wait);

        Assert.Equal("a", Assert.Single(broken.LoadErrors, e => e.ObjectName is not null).ObjectName);
        Assert.Empty(broken.Upstreams);
        Assert.Equal("2", Assert.Single(repaired.Upstreams).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Survives_the_folder_being_deleted_and_recreated()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await using var stream = new SnapshotStream(EventsOnly());
        await stream.NextAsync(Wait);

        Directory.Delete(_dir.Path, recursive: true);
        await stream.WaitForAsync(s => s.Upstreams.Count == 0, Wait);
        _dir.Write("upstreams/b.yaml", Yaml.Upstream("b"));
        var recreated = await stream.WaitForAsync(s => s.Upstreams.Count > 0, Wait);
        // And the new folder is watched by events again, not only polled.
        _dir.Write("upstreams/c.yaml", Yaml.Upstream("c"));
        var third = await stream.WaitForAsync(s => s.Upstreams.Count == 2, Wait);

        Assert.Equal("b", Assert.Single(recreated.Upstreams).Name);
        Assert.Equal(["b", "c"], third.Upstreams.Select(u => u.Name));
    }

    [Fact]
    public async Task A_folder_that_appears_later_is_picked_up()
    {
        var later = Path.Combine(_dir.Path, "later");
        await using var stream = new SnapshotStream(new FileStore(later, new FileStoreOptions { RescanInterval = TimeSpan.FromMinutes(5) }));
        Assert.Empty((await stream.NextAsync(Wait))!.Upstreams);

        _dir.Write("later/upstreams/a.yaml", Yaml.Upstream("a"));
        var next = await stream.WaitForAsync(s => s.Upstreams.Count == 1, Wait);

        Assert.Equal("a", next.Upstreams[0].Name);
    }

    [Fact]
    public async Task Cancellation_ends_the_enumeration_cleanly()
    {
        await using var stream = new SnapshotStream(EventsOnly());
        await stream.NextAsync(Wait);

        await stream.Cancellation.CancelAsync();

        Assert.True(await stream.EndsWithinAsync(TimeSpan.FromSeconds(1)));
    }
}
