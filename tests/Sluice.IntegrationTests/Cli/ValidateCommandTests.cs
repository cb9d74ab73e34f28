namespace Sluice.IntegrationTests.Cli;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task Validate_GoodFolder_Exit0WithVerdicts()
    {
        _config.Write("upstreams/sample.yaml", Manifests.Upstream("sample"));
        _config.Write("virtualservices/default.yaml", Manifests.VirtualService("default", "sample"));

        var run = (await CliRun.RunAsync("validate", _config.Path)).AssertExit(0);

        Assert.Matches(@"upstream/sample\s+Accepted", run.Out);
        Assert.Matches(@"virtualservice/default\s+Accepted", run.Out);
        Assert.Contains("0 rejected; 0 load error(s)", run.Out);
    }

    [Fact]
    public async Task Validate_Quickstart_Exit0()
    {
        var quickstart = Path.Combine(RepositoryRoot(), "examples", "quickstart");
        var run = (await CliRun.RunAsync("validate", quickstart)).AssertExit(0);
        Assert.Matches(@"upstream/sample\s+Accepted", run.Out);
        Assert.Matches(@"virtualservice/default\s+Accepted", run.Out);
    }

    [Fact]
    public async Task Validate_BrokenFile_Exit1AndNamesIt()
    {
        _config.Write("upstreams/sample.yaml", Manifests.Upstream("sample"));
        _config.Write("upstreams/broken.yaml", "name: broken\ntype: static\nspec: [this is not a map\n");

        var run = (await CliRun.RunAsync("validate", _config.Path)).AssertExit(1);

        Assert.Contains("load error: upstreams/broken.yaml", run.Out);
        Assert.Matches(@"upstream/sample\s+Accepted", run.Out);
    }

    [Fact]
    public async Task Validate_RejectedObject_Exit1WithReason()
    {
        _config.Write("upstreams/sample.yaml", Manifests.Upstream("sample"));
        // A static upstream must have at least one host: the plugin rejects it.
        _config.Write("upstreams/empty.yaml", "name: empty\ntype: static\nspec:\n  hosts: []\n");

        var run = (await CliRun.RunAsync("validate", _config.Path)).AssertExit(1);

        Assert.Matches(@"upstream/empty\s+Rejected: .+", run.Out);
        Assert.Matches(@"upstream/sample\s+Accepted", run.Out);
    }

    [Fact]
    public async Task Validate_WritesNothing()
    {
        _config.Write("upstreams/sample.yaml", Manifests.Upstream("sample"));
        var before = Directory.GetFileSystemEntries(_config.Path, "*", SearchOption.AllDirectories).Order().ToArray();

        await CliRun.RunAsync("validate", _config.Path);

        Assert.Equal(before, Directory.GetFileSystemEntries(_config.Path, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Fact]
    public async Task Validate_MissingFolder_OneLineExit1()
    {
        var missing = Path.Combine(_config.Path, "nope");
        var run = (await CliRun.RunAsync("validate", missing)).AssertExit(1).AssertNoStackTrace();
        Assert.Equal($"error: {missing}: no such directory", run.Err.Trim());
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
