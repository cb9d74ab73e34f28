using System.Text.Json;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Tests.Storage;

public sealed class FileStoreCrudTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private FileStore Store() => new(_dir.Path);

    private static Upstream Upstream(string name, int port = 8080, string? version = null) => new()
    {
        Name = name,
        Type = "static",
        Spec = new Struct(JsonDocument.Parse($$"""{"hosts":[{"addr":"127.0.0.1","port":{{port}}}]}""").RootElement),
        Metadata = new Metadata { ResourceVersion = version },
        Status = new Status(StatusState.Accepted, "must never reach the file"),
    };

    private static int PortOf(Upstream upstream) =>
        upstream.Spec.Root.GetProperty("hosts")[0].GetProperty("port").GetInt32();

    private async Task<Upstream> GetAsync(string name) =>
        (await Store().LoadAsync(None)).Upstreams.Single(u => u.Name == name);

    [Fact]
    public async Task Create_writes_a_file_named_after_the_object_without_store_fields()
    {
        var created = await Store().CreateAsync(Upstream("pay"), None);

        Assert.Equal("1", created.Metadata.ResourceVersion);
        Assert.Equal(Status.Pending, created.Status);
        var text = _dir.Read("upstreams/pay.yaml");
        Assert.Contains("pay", text);
        Assert.DoesNotContain("resource_version", text);
        Assert.DoesNotContain("status", text);
        Assert.DoesNotContain("never", text);
        Assert.Equal(8080, PortOf(await GetAsync("pay")));
    }

    [Fact]
    public async Task Create_refuses_a_name_defined_in_any_file()
    {
        _dir.Write("upstreams/team.yaml", Yaml.Upstream("other") + "---\n" + Yaml.Upstream("pay"));

        var error = await Assert.ThrowsAsync<StoreConflictException>(() => Store().CreateAsync(Upstream("pay"), None));

        Assert.Equal("upstream 'pay' already exists (in upstreams/team.yaml)", error.Message);
        Assert.False(_dir.Exists("upstreams/pay.yaml"));
    }

    [Fact]
    public async Task Create_never_overwrites_a_users_file_of_the_same_name()
    {
        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("legacy"));

        await Store().CreateAsync(Upstream("pay"), None);

        Assert.Contains("legacy", _dir.Read("upstreams/pay.yaml"));
        Assert.Contains("pay", _dir.Read("upstreams/pay-2.yaml"));
        var snapshot = await Store().LoadAsync(None);
        Assert.Equal(["legacy", "pay"], snapshot.Upstreams.Select(u => u.Name));
    }

    [Fact]
    public async Task Update_bumps_the_version_and_refuses_a_stale_one()
    {
        var store = Store();
        await store.CreateAsync(Upstream("pay", 1), None);

        var second = await store.UpdateAsync(Upstream("pay", 2, version: "1"), None);
        var error = await Assert.ThrowsAsync<StoreConflictException>(() => store.UpdateAsync(Upstream("pay", 3, version: "1"), None));

        Assert.Equal("2", second.Metadata.ResourceVersion);
        Assert.Equal("upstream 'pay': resource version 1 is stale (current is 2)", error.Message);
        var stored = await GetAsync("pay");
        Assert.Equal(2, PortOf(stored));
        Assert.Equal("2", stored.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Update_without_a_version_is_unconditional_and_same_content_keeps_the_version()
    {
        var store = Store();
        await store.CreateAsync(Upstream("pay", 1), None);

        var changed = await store.UpdateAsync(Upstream("pay", 2), None);
        var same = await store.UpdateAsync(Upstream("pay", 2), None);

        Assert.Equal("2", changed.Metadata.ResourceVersion);
        Assert.Equal("2", same.Metadata.ResourceVersion);
        Assert.Equal("2", (await GetAsync("pay")).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Update_and_delete_of_an_unknown_name_are_not_found()
    {
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store().UpdateAsync(Upstream("ghost"), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store().DeleteAsync(ConfigKind.Upstream, "ghost", None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => Store().WriteStatusAsync(ConfigKind.Upstream, "ghost", null, Status.Accepted, None));
    }

    [Fact]
    public async Task A_users_edit_bumps_the_version_and_makes_an_old_version_stale()
    {
        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("pay", 1));
        Assert.Equal("1", (await GetAsync("pay")).Metadata.ResourceVersion);

        _dir.Write("upstreams/pay.yaml", "# now with a comment\n" + Yaml.Upstream("pay", 1));
        Assert.Equal("1", (await GetAsync("pay")).Metadata.ResourceVersion); // a comment is not content

        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("pay", 2));
        // No load in between: the CLI itself must notice the edit before comparing versions.
        await Assert.ThrowsAsync<StoreConflictException>(() => Store().UpdateAsync(Upstream("pay", 3, version: "1"), None));
        Assert.Equal("2", (await GetAsync("pay")).Metadata.ResourceVersion);

        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("pay", 4));
        Assert.Equal("3", (await GetAsync("pay")).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Update_rewrites_one_document_and_keeps_the_others_byte_for_byte()
    {
        const string first = "# shared upstreams, edited by hand\nname: a   # keep this\ntype: static\nspec: {hosts: [{addr: 10.0.0.1, port: 1}]}\n";
        const string third = "# the last one\nname: c\ntype:   static      # odd spacing\n";
        _dir.Write("upstreams/team.yaml", first + "---\n" + Yaml.Upstream("b", 1) + "---\n" + third);

        await Store().UpdateAsync(Upstream("b", 2), None);

        var text = _dir.Read("upstreams/team.yaml");
        Assert.StartsWith(first + "---\n", text);
        Assert.EndsWith("---\n" + third, text);
        Assert.DoesNotContain("resource_version", text);
        Assert.DoesNotContain("status", text);
        var snapshot = await Store().LoadAsync(None);
        Assert.Empty(snapshot.LoadErrors);
        Assert.Equal(["a", "b", "c"], snapshot.Upstreams.Select(u => u.Name));
        Assert.Equal(2, PortOf(snapshot.Upstreams[1]));
    }

    [Fact]
    public async Task Delete_removes_one_document_or_the_whole_file_and_the_record()
    {
        const string first = "# header\nname: a\ntype: static\n";
        _dir.Write("upstreams/team.yaml", first + "---\n" + Yaml.Upstream("b"));
        var store = Store();
        await store.CreateAsync(Upstream("solo"), None);
        await store.WriteStatusAsync(ConfigKind.Upstream, "b", "1", Status.Accepted, None);

        await store.DeleteAsync(ConfigKind.Upstream, "b", None);
        await store.DeleteAsync(ConfigKind.Upstream, "solo", None);

        Assert.Equal(first, _dir.Read("upstreams/team.yaml"));
        Assert.False(_dir.Exists("upstreams/solo.yaml"));
        Assert.False(_dir.Exists(".sluice/objects/upstreams/b.json"));
        var snapshot = await store.LoadAsync(None);
        Assert.Equal("a", Assert.Single(snapshot.Upstreams).Name);
        // Recreated later, it starts over rather than inheriting the deleted one's verdict.
        _dir.Write("upstreams/b.yaml", Yaml.Upstream("b"));
        var b = (await store.LoadAsync(None)).Upstreams.Single(u => u.Name == "b");
        Assert.Equal(Status.Pending, b.Status);
    }

    [Fact]
    public async Task Status_on_an_old_version_is_refused_and_never_lands_on_the_new_one()
    {
        var store = Store();
        var judged = await store.CreateAsync(Upstream("pay"), None);
        // The CLI updates the object between the translation of version 1 and its status write.
        var updated = await store.UpdateAsync(Upstream("pay", 9), None);

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() =>
            store.WriteStatusAsync(ConfigKind.Upstream, "pay", judged.Metadata.ResourceVersion, new Status(StatusState.Rejected, "about version 1"), None));

        Assert.Contains("resource version 1", conflict.Message);
        var reloaded = await GetAsync("pay");
        Assert.Equal(updated.Metadata.ResourceVersion, reloaded.Metadata.ResourceVersion);
        Assert.Equal(Status.Pending, reloaded.Status);
        // A verdict on the current version lands.
        await store.WriteStatusAsync(ConfigKind.Upstream, "pay", updated.Metadata.ResourceVersion, Status.Accepted, None);
        Assert.Equal(Status.Accepted, (await GetAsync("pay")).Status);
    }

    [Fact]
    public async Task Status_lives_beside_the_file_survives_reload_and_keeps_the_version()
    {
        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("pay"));
        var before = _dir.Read("upstreams/pay.yaml");
        var rejected = new Status(StatusState.Rejected, "no hosts reachable");

        await Store().WriteStatusAsync(ConfigKind.Upstream, "pay", "1", rejected, None);

        Assert.Equal(before, _dir.Read("upstreams/pay.yaml"));
        Assert.Contains("no hosts reachable", _dir.Read(".sluice/objects/upstreams/pay.json"));
        var reloaded = await GetAsync("pay");
        Assert.Equal(rejected, reloaded.Status);
        Assert.Equal("1", reloaded.Metadata.ResourceVersion);

        // New content: the old verdict no longer applies.
        _dir.Write("upstreams/pay.yaml", Yaml.Upstream("pay", 9));
        var edited = await GetAsync("pay");
        Assert.Equal(Status.Pending, edited.Status);
        Assert.Equal("2", edited.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Objects_of_a_broken_file_cannot_be_edited_or_recreated()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await Store().LoadAsync(None);
        _dir.Write("upstreams/a.yaml", "name: a\ntype: [\n");

        var update = await Assert.ThrowsAsync<StoreConflictException>(() => Store().UpdateAsync(Upstream("a"), None));
        var create = await Assert.ThrowsAsync<StoreConflictException>(() => Store().CreateAsync(Upstream("a"), None));

        Assert.Contains("upstreams/a.yaml", update.Message);
        Assert.Equal("upstream 'a' already exists (in upstreams/a.yaml)", create.Message);
        Assert.Equal("name: a\ntype: [\n", _dir.Read("upstreams/a.yaml"));
    }

    [Fact]
    public async Task Concurrent_writers_on_one_folder_never_lose_a_version()
    {
        await Store().CreateAsync(Upstream("pay", 0), None);
        // Two stores stand for two processes: each has its own in-process gate, so only the
        // file lock keeps them apart.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var store = Store();
            for (var i = 1; i <= 10; i++)
            {
                await store.UpdateAsync(Upstream("pay", w * 100 + i), None);
            }
        }));

        await Task.WhenAll(writers);

        Assert.Equal("41", (await GetAsync("pay")).Metadata.ResourceVersion);
    }
}
