using System.Text;
using dotnet_etcd;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Storage;
using Sluice.Tests.Storage;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>The etcd store against a real three-member cluster: CRUD, compare-and-swap, watches, bad values.</summary>
public sealed partial class EtcdStoreTests(EtcdClusterFixture etcd) : IClassFixture<EtcdClusterFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Resource_version_is_the_mod_revision_and_updates_compare_it()
    {
        using var store = etcd.Store();
        var created = await store.CreateAsync(EtcdObjects.Upstream("pay", 1), None);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.CreateAsync(EtcdObjects.Upstream("pay", 2), None));

        var updated = await store.UpdateAsync(EtcdObjects.Upstream("pay", 3, created.Metadata.ResourceVersion), None);
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() => store.UpdateAsync(EtcdObjects.Upstream("pay", 4, created.Metadata.ResourceVersion), None));
        await Assert.ThrowsAsync<StoreNotFoundException>(() => store.UpdateAsync(EtcdObjects.Upstream("ghost", 4), None));

        Assert.Contains($"resource version {created.Metadata.ResourceVersion} is stale", stale.Message);
        var loaded = Assert.Single((await store.LoadAsync(None)).Upstreams);
        Assert.Equal(updated.Metadata.ResourceVersion, loaded.Metadata.ResourceVersion);
        Assert.Equal(3, EtcdObjects.PortOf(loaded));
        Assert.Equal(Status.Pending, loaded.Status);
        var modRevision = (await store.RangeAsync(new Etcdserverpb.RangeRequest { Key = EtcdStore.Bytes(store.Keys.Object(ConfigKind.Upstream, "pay")) }, None)).Kvs[0].ModRevision;
        Assert.Equal(modRevision.ToString(System.Globalization.CultureInfo.InvariantCulture), loaded.Metadata.ResourceVersion);

        await store.DeleteAsync(ConfigKind.Upstream, "pay", None);
        await Assert.ThrowsAsync<StoreNotFoundException>(() => store.DeleteAsync(ConfigKind.Upstream, "pay", None));
        Assert.Empty((await store.LoadAsync(None)).Upstreams);
    }

    [Fact]
    public async Task Status_on_an_old_version_is_refused_and_never_lands_on_the_new_one()
    {
        using var store = etcd.Store();
        var judged = await store.CreateAsync(EtcdObjects.Upstream("pay", 1), None);
        var updated = await store.UpdateAsync(EtcdObjects.Upstream("pay", 2), None);

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() => store.WriteStatusAsync(
            ConfigKind.Upstream, "pay", judged.Metadata.ResourceVersion, new Status(StatusState.Rejected, "about the first version"), None));

        Assert.Contains($"judged resource version {judged.Metadata.ResourceVersion}", conflict.Message);
        Assert.Equal(Status.Pending, Assert.Single((await store.LoadAsync(None)).Upstreams).Status);

        await store.WriteStatusAsync(ConfigKind.Upstream, "pay", updated.Metadata.ResourceVersion, Status.Accepted, None);
        var loaded = Assert.Single((await store.LoadAsync(None)).Upstreams);
        Assert.Equal(Status.Accepted, loaded.Status);
        // The status has its own key: the object's version did not move.
        Assert.Equal(updated.Metadata.ResourceVersion, loaded.Metadata.ResourceVersion);
        await Assert.ThrowsAsync<StoreNotFoundException>(() => store.WriteStatusAsync(ConfigKind.Upstream, "ghost", "1", Status.Accepted, None));
    }

    [Fact]
    public async Task Watch_yields_changes_to_config_but_not_status_writes()
    {
        using var store = etcd.Store();
        var created = await store.CreateAsync(EtcdObjects.Upstream("a", 1), None);
        await using var stream = new SnapshotStream(store);
        Assert.Single((await stream.NextAsync(Wait))!.Upstreams);

        await store.WriteStatusAsync(ConfigKind.Upstream, "a", created.Metadata.ResourceVersion, Status.Accepted, None);
        Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(700)));

        await store.CreateAsync(EtcdObjects.Route("site", "/", "a"), None);
        var next = (await stream.NextAsync(Wait))!;
        Assert.Equal("site", Assert.Single(next.VirtualServices).Name);
        // The status written meanwhile is in the next snapshot.
        Assert.Equal(Status.Accepted, Assert.Single(next.Upstreams).Status);
    }

    [Fact]
    public async Task A_value_that_does_not_parse_is_a_load_error_naming_its_key_and_the_rest_loads()
    {
        var prefix = EtcdClusterFixture.UniquePrefix();
        using var store = etcd.Store(prefix);
        await store.CreateAsync(EtcdObjects.Upstream("good", 1), None);
        using var client = new EtcdClient(etcd.Cluster.EndpointList);
        await client.PutAsync(prefix + "objects/upstreams/broken", "name: broken\ntype: static\nspec: [unclosed");
        await client.PutAsync(prefix + "objects/upstreams/renamed", "name: other\ntype: static\nspec:\n  hosts: [{addr: 127.0.0.1, port: 1}]\n");
        await client.PutAsync(prefix + "discovered/upstreams/x", "a damaged discovery record: nothing found, no load error");

        var snapshot = await store.LoadAsync(None);

        Assert.Equal("good", Assert.Single(snapshot.Upstreams).Name);
        var broken = Assert.Single(snapshot.LoadErrors, e => e.ObjectName == "broken");
        Assert.Equal(prefix + "objects/upstreams/broken", broken.Source);
        Assert.Equal(ConfigKind.Upstream, broken.Kind);
        var renamed = Assert.Single(snapshot.LoadErrors, e => e.ObjectName == "renamed");
        Assert.Contains("defines upstream 'other', but its key names 'renamed'", renamed.Message);
        Assert.Equal(2, snapshot.LoadErrors.Count);
    }

    [Fact]
    public async Task Secrets_and_files_load_from_their_own_keys()
    {
        using var store = etcd.Store();
        await store.PutRawAsync(EtcdKeyClass.Secret, "aws", Encoding.UTF8.GetBytes("access_key: AKIA\nsecret_key: s3cr3t\n"), None);
        await store.PutRawAsync(EtcdKeyClass.File, "protos/descriptor.pb", new byte[] { 0, 1, 2, 255 }, None);

        var snapshot = await store.LoadAsync(None);

        Assert.Equal("AKIA", snapshot.Secrets["aws"]["access_key"]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, snapshot.Files["protos/descriptor.pb"].ToArray());
    }
}
