using System.Text;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Tests.Storage;

public sealed class FileStoreLoadTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<ConfigSnapshot> LoadAsync() => new FileStore(_dir.Path).LoadAsync(CancellationToken.None);

    [Fact]
    public async Task Loads_every_kind_secrets_and_files()
    {
        _dir.Write("upstreams/all.yaml", Yaml.Upstream("b") + "---\n" + Yaml.Upstream("a"));
        _dir.Write("upstreams/c.yml", Yaml.Upstream("c"));
        _dir.Write("virtualservices/default.yaml", Yaml.VirtualService("default"));
        _dir.Write("secrets/aws-creds", "access_key: AKIA\nsecret_key: s3cr3t\n");
        _dir.WriteBytes("files/descriptors.pb", [0, 1, 2, 255]);

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.LoadErrors);
        Assert.Equal(["a", "b", "c"], snapshot.Upstreams.Select(u => u.Name));
        Assert.All(snapshot.Upstreams, u => Assert.Equal("static", u.Type));
        Assert.Equal("default", Assert.Single(snapshot.VirtualServices).Name);
        Assert.Equal("s3cr3t", snapshot.Secrets["aws-creds"]["secret_key"]);
        Assert.Equal([0, 1, 2, 255], snapshot.Files["descriptors.pb"].ToArray());
        Assert.All(snapshot.Upstreams, u =>
        {
            Assert.Equal("1", u.Metadata.ResourceVersion);
            Assert.Equal(Status.Pending, u.Status);
        });
    }

    [Fact]
    public async Task Missing_folder_or_sections_load_empty_and_create_nothing()
    {
        var missing = Path.Combine(_dir.Path, "nope");

        var snapshot = await new FileStore(missing).LoadAsync(CancellationToken.None);
        var empty = await LoadAsync();

        Assert.Empty(snapshot.Upstreams);
        Assert.Empty(snapshot.LoadErrors);
        Assert.False(Directory.Exists(missing));
        Assert.Empty(empty.Upstreams);
        Assert.Empty(empty.VirtualServices);
        Assert.Empty(empty.Secrets);
    }

    [Fact]
    public async Task Hidden_temp_and_non_yaml_files_are_ignored()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        _dir.Write("upstreams/.#a.yaml", "garbage: [");
        _dir.Write("upstreams/a.yaml~", "garbage: [");
        _dir.Write("upstreams/.a.yaml.swp", "garbage: [");
        _dir.Write("upstreams/README.md", "not config");
        _dir.Write("secrets/.hidden", "x: [");
        _dir.Write("files/notes.txt~", "backup");

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.LoadErrors);
        Assert.Equal("a", Assert.Single(snapshot.Upstreams).Name);
        Assert.Empty(snapshot.Secrets);
        Assert.Empty(snapshot.Files);
    }

    [Fact]
    public async Task A_bad_file_affects_only_itself()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        _dir.Write("upstreams/broken.yaml", "name: broken\ntype: [static\n");
        _dir.Write("virtualservices/vs.yaml", Yaml.VirtualService("vs"));
        _dir.Write("secrets/bad", "- not\n- a map\n");

        var snapshot = await LoadAsync();

        Assert.Equal("a", Assert.Single(snapshot.Upstreams).Name);
        Assert.Equal("vs", Assert.Single(snapshot.VirtualServices).Name);
        Assert.Contains(snapshot.LoadErrors, e => e.Source == "upstreams/broken.yaml" && e.Line is > 0);
        Assert.Contains(snapshot.LoadErrors, e => e.Source == "secrets/bad");
        Assert.All(snapshot.LoadErrors, e => Assert.True(e.Source is "upstreams/broken.yaml" or "secrets/bad", e.ToString()));
    }

    [Fact]
    public async Task An_object_level_error_names_the_object()
    {
        _dir.Write("upstreams/two.yaml", Yaml.Upstream("good") + "---\nname: typo\ntype: static\ntimout: 5s\n");

        var snapshot = await LoadAsync();

        Assert.Equal("good", Assert.Single(snapshot.Upstreams).Name);
        var error = Assert.Single(snapshot.LoadErrors);
        Assert.Equal("typo", error.ObjectName);
        Assert.Equal(ConfigKind.Upstream, error.Kind);
        Assert.Equal("upstreams/two.yaml", error.Source);
    }

    [Fact]
    public async Task A_previously_good_file_that_breaks_names_the_objects_it_held()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a1") + "---\n" + Yaml.Upstream("a2"));
        _dir.Write("upstreams/b.yaml", Yaml.Upstream("b"));
        var before = await LoadAsync();
        Assert.Equal(3, before.Upstreams.Count);

        _dir.Write("upstreams/a.yaml", "name: a1\ntype: static\nspec: {hosts: [\n");
        var after = await LoadAsync();
        // A restarted process knows too: the memory is in .sluice, not in the process.
        var restarted = await new FileStore(_dir.Path).LoadAsync(CancellationToken.None);

        foreach (var snapshot in new[] { after, restarted })
        {
            Assert.Equal("b", Assert.Single(snapshot.Upstreams).Name);
            var named = snapshot.LoadErrors.Where(e => e.ObjectName is not null).ToList();
            Assert.Equal(["a1", "a2"], named.Select(e => e.ObjectName).Order());
            Assert.All(named, e =>
            {
                Assert.Equal(ConfigKind.Upstream, e.Kind);
                Assert.Equal("upstreams/a.yaml", e.Source);
            });
            Assert.All(snapshot.LoadErrors, e => Assert.Equal("upstreams/a.yaml", e.Source));
        }
    }

    [Fact]
    public async Task A_repaired_file_serves_again_and_a_deleted_one_is_forgotten()
    {
        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        await LoadAsync();
        _dir.Write("upstreams/a.yaml", "name: a\ntype: [\n");
        await LoadAsync();

        _dir.Write("upstreams/a.yaml", Yaml.Upstream("a"));
        var repaired = await LoadAsync();
        File.Delete(_dir.PathOf("upstreams/a.yaml"));
        var deleted = await LoadAsync();

        Assert.Empty(repaired.LoadErrors);
        Assert.Equal("1", Assert.Single(repaired.Upstreams).Metadata.ResourceVersion);
        Assert.Empty(deleted.Upstreams);
        Assert.Empty(deleted.LoadErrors);
    }

    [Fact]
    public async Task The_first_definition_of_a_name_wins()
    {
        _dir.Write("upstreams/a.yaml", "# first\n" + Yaml.Upstream("x", port: 1));
        _dir.Write("upstreams/b.yaml", Yaml.Upstream("y") + "---\n" + Yaml.Upstream("x", port: 2) + "---\n" + Yaml.Upstream("y", port: 3));

        var snapshot = await LoadAsync();

        Assert.Equal(["x", "y"], snapshot.Upstreams.Select(u => u.Name));
        Assert.Contains("\"port\":1", snapshot.Upstreams[0].Spec.ToString().Replace(" ", ""));
        Assert.Contains("8080", snapshot.Upstreams[1].Spec.ToString());
        Assert.Equal(2, snapshot.LoadErrors.Count);
        var duplicateX = snapshot.LoadErrors[0];
        Assert.Equal("upstream 'x' is already defined in upstreams/a.yaml:2", duplicateX.Message);
        Assert.Equal("upstreams/b.yaml", duplicateX.Source);
        Assert.Null(duplicateX.ObjectName); // naming it would reject the winner too
        Assert.StartsWith("upstream 'y' is already defined in upstreams/b.yaml:1", snapshot.LoadErrors[1].Message);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_fine()
    {
        _dir.WriteBytes("upstreams/bom.yaml", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Yaml.Upstream("bom"))]);

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.LoadErrors);
        Assert.Equal("bom", Assert.Single(snapshot.Upstreams).Name);
    }

    [Theory]
    [InlineData("secrets")]
    [InlineData("files")]
    public async Task A_symlinked_secret_or_file_is_refused_and_its_target_never_shown(string section)
    {
        using var outside = new TempConfigDir();
        outside.Write("token", "ghp_MARKER0123456789\n");
        _dir.Write($"{section}/kept", "a: b\n");
        File.CreateSymbolicLink(_dir.PathOf($"{section}/token"), outside.PathOf("token"));

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.LoadErrors);
        Assert.Equal($"{section}/token", error.Source);
        Assert.Contains("is a symbolic link, which is not followed", error.Message);
        Assert.DoesNotContain("MARKER", error.ToString(), StringComparison.Ordinal);
        Assert.False(snapshot.Secrets.ContainsKey("token") || snapshot.Files.ContainsKey("token"));
        Assert.True(snapshot.Secrets.ContainsKey("kept") || snapshot.Files.ContainsKey("kept"));
    }

    [Fact]
    public async Task A_symlinked_secrets_folder_is_refused()
    {
        using var outside = new TempConfigDir();
        outside.Write("keys/aws", "access_key: MARKER\n");
        Directory.CreateSymbolicLink(_dir.PathOf("secrets"), outside.PathOf("keys"));

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.LoadErrors);
        Assert.Equal("secrets", error.Source);
        Assert.Contains("is a symbolic link", error.Message);
        Assert.Empty(snapshot.Secrets);
    }

    [Fact]
    public async Task A_raw_token_saved_as_a_secret_is_not_echoed()
    {
        _dir.Write("secrets/github", "ghp_MARKER0123456789abcdef\n");

        var snapshot = await LoadAsync();

        var error = Assert.Single(snapshot.LoadErrors);
        Assert.Equal("secrets/github", error.Source);
        Assert.DoesNotContain("MARKER", error.ToString(), StringComparison.Ordinal);
    }
}
