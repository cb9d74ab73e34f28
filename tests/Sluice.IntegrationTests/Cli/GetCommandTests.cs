using System.Text.Json;

namespace Sluice.IntegrationTests.Cli;

public sealed class GetCommandTests : IAsyncLifetime
{
    private readonly ConfigFolder _config = new();

    public async Task InitializeAsync()
    {
        var objects = Manifests.Join(
            Manifests.Upstream("alpha"),
            Manifests.Upstream("beta", port: 9191),
            Manifests.VirtualService("default", "alpha"),
            Manifests.VirtualService("shop", "beta", domain: "shop.example.com"));
        (await CliRun.RunWithInputAsync(objects, "apply", "-f", "-", "--config-dir", _config.Path)).AssertExit(0);
    }

    public Task DisposeAsync()
    {
        _config.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("upstreams")]
    [InlineData("upstream")]
    [InlineData("us")]
    public async Task Get_UpstreamsTable_HasColumnsAndRows(string kind)
    {
        var run = (await Get(kind)).AssertExit(0);

        var header = run.Out.Split('\n').First(l => l.Contains("NAME"));
        Assert.Matches(@"NAME\s+.*TYPE\s+.*STATUS\s+.*REASON", header);
        Assert.Matches(@"alpha\s+.*static", run.Out);
        Assert.Matches(@"beta\s+.*static", run.Out);
        Assert.Equal("", run.Err);
    }

    [Theory]
    [InlineData("virtualservices")]
    [InlineData("vs")]
    public async Task Get_VirtualServicesTable_ShowsDomains(string kind)
    {
        var run = (await Get(kind)).AssertExit(0);

        Assert.Contains("DOMAINS", run.Out);
        Assert.Matches(@"shop\s+.*shop\.example\.com", run.Out);
        Assert.Matches(@"default\s+.*\*", run.Out);
    }

    [Fact]
    public async Task Get_Yaml_DocumentsSeparated()
    {
        var run = (await Get("us", "-o", "yaml")).AssertExit(0);

        var documents = run.Out.Split("\n---\n");
        Assert.Equal(2, documents.Length);
        Assert.Contains("name: alpha", documents[0]);
        Assert.Contains("name: beta", documents[1]);
    }

    [Fact]
    public async Task Get_Json_ArrayOrOneObject()
    {
        var all = (await Get("us", "-o", "json")).AssertExit(0);
        using (var array = JsonDocument.Parse(all.Out))
        {
            Assert.Equal(JsonValueKind.Array, array.RootElement.ValueKind);
            Assert.Equal(["alpha", "beta"], array.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).Order());
        }

        var one = (await Get("virtualservice", "shop", "-o", "json")).AssertExit(0);
        using var single = JsonDocument.Parse(one.Out);
        Assert.Equal(JsonValueKind.Object, single.RootElement.ValueKind);
        Assert.Equal("shop.example.com", single.RootElement.GetProperty("domains")[0].GetString());
    }

    [Fact]
    public async Task Get_UnknownName_Exit1()
    {
        var run = (await Get("us", "gamma")).AssertExit(1).AssertNoStackTrace();
        Assert.Equal("error: upstream 'gamma': not found", run.Err.Trim());
    }

    [Fact]
    public async Task Get_BrokenFile_ShownOnStderrBesideTheListing()
    {
        _config.Write("upstreams/broken.yaml", "name: broken\ntype: [not, a, string\n");

        var run = (await Get("us")).AssertExit(0);

        Assert.Contains("alpha", run.Out);
        Assert.Contains("upstreams/broken.yaml", run.Err);
        Assert.StartsWith("error: not loaded: ", run.Err);
    }

    [Fact]
    public async Task Get_ObjectWhoseFileNoLongerParses_IsARejectedRow()
    {
        var file = Directory.GetFiles(System.IO.Path.Combine(_config.Path, "upstreams")).Single(f => File.ReadAllText(f).Contains("name: beta"));
        File.WriteAllText(file, "name: beta\ntype: [not, a, string\n");

        var run = (await Get("us")).AssertExit(0);

        var row = run.Out.Split('\n').Single(l => l.StartsWith("beta", StringComparison.Ordinal));
        Assert.Matches(@"^beta\s+\?\s+Rejected\s+not loaded: upstreams/beta\.yaml:2:1: could not be read: its file no longer parses \(invalid YAML", row);
    }

    [Fact]
    public async Task Delete_ThenGet_Gone()
    {
        var run = (await CliRun.RunAsync("delete", "upstream", "beta", "--config-dir", _config.Path)).AssertExit(0);
        Assert.Equal("upstream/beta deleted", run.Out.Trim());

        (await Get("us", "beta")).AssertExit(1);
        Assert.Contains("alpha", (await Get("us")).Out);
    }

    [Fact]
    public async Task Delete_Missing_Exit1()
    {
        var run = (await CliRun.RunAsync("delete", "vs", "nope", "--config-dir", _config.Path)).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("virtualservice/nope: not found", run.Err);
    }

    private Task<CliRun> Get(params string[] args) => CliRun.RunAsync(["get", .. args, "--config-dir", _config.Path]);
}
