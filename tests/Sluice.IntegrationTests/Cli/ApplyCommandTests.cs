namespace Sluice.IntegrationTests.Cli;

public sealed class ApplyCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sluice-apply-{Guid.NewGuid():N}.yaml");

    public void Dispose()
    {
        _config.Dispose();
        File.Delete(_file);
    }

    [Fact]
    public async Task Apply_NewThenSameThenChanged_CreatedUnchangedConfigured()
    {
        File.WriteAllText(_file, Manifests.Join(Manifests.Upstream("sample"), Manifests.VirtualService("default", "sample")));

        var first = (await Apply()).AssertExit(0);
        Assert.Contains("upstream/sample created", first.Out);
        Assert.Contains("virtualservice/default created", first.Out);

        var second = (await Apply()).AssertExit(0);
        Assert.Contains("upstream/sample unchanged", second.Out);
        Assert.Contains("virtualservice/default unchanged", second.Out);

        File.WriteAllText(_file, Manifests.Join(Manifests.Upstream("sample", port: 9191), Manifests.VirtualService("default", "sample")));
        var third = (await Apply()).AssertExit(0);
        Assert.Contains("upstream/sample configured", third.Out);
        Assert.Contains("virtualservice/default unchanged", third.Out);

        var yaml = (await CliRun.RunAsync("get", "us", "sample", "-o", "yaml", "--config-dir", _config.Path)).AssertExit(0);
        Assert.Contains("9191", yaml.Out);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Apply_OnACommentedFile_KeepsEveryCommentOutsideTheChangedKeysAndThePermissionBits()
    {
        const string commented = """
            # upstreams for the shop
            name: a   # first
            type: static   # kind of upstream
            # where it is
            spec:
              hosts:
              - addr: 127.0.0.1   # local
                port: 9090
            connection_timeout: 5s  # quick
            ---
            # second one
            name: b  # keep me
            type: static  # static!
            spec: { hosts: [{ addr: 127.0.0.1, port: 9091 }] }   # flow

            """;
        var path = _config.Write("upstreams/shop.yaml", commented);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.WriteAllText(_file, "name: a\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: 9999\nconnection_timeout: 5s\nuse_http2: true\n");

        (await Apply()).AssertExit(0);

        Assert.Equal(
            """
            # upstreams for the shop
            name: a   # first
            type: static   # kind of upstream
            # where it is
            spec:
              hosts:
              - addr: 127.0.0.1
                port: 9999
            connection_timeout: 5s  # quick
            use_http2: true
            ---
            # second one
            name: b  # keep me
            type: static  # static!
            spec: { hosts: [{ addr: 127.0.0.1, port: 9091 }] }   # flow

            """,
            File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task Apply_RejectedObject_PrintsTheVerdictNotJustCreated()
    {
        File.WriteAllText(_file, "name: bad\nroutes:\n- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: nowhere } }\n  extensions: { timeout: -1s }\n");

        var run = (await Apply()).AssertExit(0);

        Assert.StartsWith("virtualservice/bad created, Rejected: ", run.Out);
        Assert.EndsWith("; nothing is served for it", run.Out.Trim());
    }

    [Fact]
    public async Task Apply_BrokenDocumentInTheMiddle_ReportsFileAndLineAndAppliesTheRest()
    {
        var broken = "name: broken\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: 1\nno_such_field: 1";
        File.WriteAllText(_file, Manifests.Join(Manifests.Upstream("first"), broken, Manifests.Upstream("third")));

        var run = (await Apply()).AssertExit(1).AssertNoStackTrace();

        Assert.Contains("upstream/first created", run.Out);
        Assert.Contains("upstream/third created", run.Out);
        Assert.DoesNotContain("broken", run.Out);
        // The broken document starts after the first one (7 lines) and its separator.
        Assert.Matches($@"error: {System.Text.RegularExpressions.Regex.Escape(_file)}:(9|1[0-9])\b.*no_such_field", run.Err);
        var list = (await CliRun.RunAsync("get", "upstreams", "--config-dir", _config.Path)).AssertExit(0);
        Assert.Contains("first", list.Out);
        Assert.Contains("third", list.Out);
    }

    [Fact]
    public async Task Apply_FromStdin_Created()
    {
        var run = (await CliRun.RunWithInputAsync(Manifests.Upstream("piped"), "apply", "-f", "-", "--config-dir", _config.Path)).AssertExit(0);
        Assert.Contains("upstream/piped created", run.Out);
    }

    [Fact]
    public async Task Apply_StaleResourceVersion_ConflictIsOneLine()
    {
        File.WriteAllText(_file, Manifests.Upstream("sample"));
        (await Apply()).AssertExit(0);

        File.WriteAllText(_file, Manifests.Upstream("sample", port: 9999) + "\nmetadata:\n  resource_version: 'stale-999'\n");
        var run = (await Apply()).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("error: upstream/sample:", run.Err);
        Assert.Single(run.Err.Trim().Split('\n'));
    }

    [Fact]
    public async Task Apply_MissingFile_OneLineExit1()
    {
        var run = (await CliRun.RunAsync("apply", "-f", "/no/such/file.yaml", "--config-dir", _config.Path)).AssertExit(1).AssertNoStackTrace();
        Assert.Equal("error: /no/such/file.yaml: no such file", run.Err.Trim());
    }

    [Fact]
    public async Task Apply_MissingConfigDir_OneLineExit1()
    {
        File.WriteAllText(_file, Manifests.Upstream("sample"));
        var missing = Path.Combine(_config.Path, "nope");
        var run = (await CliRun.RunAsync("apply", "-f", _file, "--config-dir", missing)).AssertExit(1).AssertNoStackTrace();
        Assert.Contains($"config directory '{missing}' does not exist", run.Err);
        Assert.False(Directory.Exists(missing));
    }

    private Task<CliRun> Apply() => CliRun.RunAsync("apply", "-f", _file, "--config-dir", _config.Path);
}
