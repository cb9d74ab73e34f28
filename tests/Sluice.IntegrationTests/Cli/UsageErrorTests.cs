namespace Sluice.IntegrationTests.Cli;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "get", "us", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "get", "--bogus", "us" }, "unknown option '--bogus'")]
    [InlineData(new[] { "apply", "-f", "x.yaml", "--frobnicate" }, "'--frobnicate'")]
    [InlineData(new[] { "get", "routes" }, "unknown kind 'routes': expected upstreams (upstream, us) or virtualservices (virtualservice, vs)")]
    [InlineData(new[] { "delete", "pods", "x" }, "unknown kind 'pods'")]
    [InlineData(new[] { "get", "us", "-o", "xml" }, "--output: 'xml' is not a format (table, wide, yaml, json or template)")]
    [InlineData(new[] { "apply" }, "'--filename' is required")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate'")]
    [InlineData(new[] { "run", "--http-port", "http" }, "--http-port: 'http' is not a port (0-65535, 0 = off)")]
    [InlineData(new[] { "run", "--role", "boss" }, "--role: 'boss' is not a role (all, gateway or controller)")]
    [InlineData(new[] { "run", "--bind", "not-an-ip" }, "--bind: 'not-an-ip' is not an IP address")]
    public async Task Mistake_OneErrorLine_Exit1(string[] args, string message)
    {
        var run = (await CliRun.RunAsync(args)).AssertExit(1).AssertNoStackTrace();

        var lines = run.Err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Get_MissingConfigDir_NamesTheFolderAndTheFlag()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sluice-no-such-" + Guid.NewGuid().ToString("N"));
        var run = (await CliRun.RunAsync("get", "vs", "--config-dir", missing)).AssertExit(1).AssertNoStackTrace();
        Assert.Equal($"error: config directory '{missing}' does not exist (set it with --config-dir or SLUICE_CONFIG_DIR)", run.Err.Trim());
    }

    [Fact]
    public async Task NoArguments_PrintsHelp_Exit0()
    {
        var run = (await CliRun.RunAsync()).AssertExit(0);
        Assert.Contains("sluice [command] [options]", run.Out);
        foreach (var command in new[] { "run", "get", "apply", "delete", "validate", "version", "sample-backend" })
        {
            Assert.Contains(command, run.Out);
        }
    }

    [Fact]
    public async Task Version_PrintsInformationalVersion()
    {
        var run = (await CliRun.RunAsync("version")).AssertExit(0);
        Assert.Matches(@"^sluice \d+\.\d+\.\d+", run.Out);
    }
}
