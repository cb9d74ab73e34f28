using System.Text.Json;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// glooctl's object verbs (<c>sluice upstream|virtualservice create|get|update|delete</c>) run as
/// the built executable against a real folder: output formats, exit codes, and the promise that
/// reading never writes.
/// </summary>
public sealed class ObjectVerbsProcessTests : IDisposable
{
    private const string Petstore = """
        name: petstore
        type: static
        spec:
          hosts:
          - addr: 127.0.0.1
            port: 9191
        functions:
        - name: list-pets
          spec: {path: /pets, method: GET}
        """;

    private readonly ConfigFolder _config = new();

    private string[] Dir => ["--config-dir", _config.Path];

    [Fact]
    public async Task Upstream_create_get_update_delete_with_every_output_format_and_exit_code()
    {
        var created = (await CliProcess.RunAsync(["upstream", "create", "-f", "-", .. Dir], Petstore)).AssertExit(0);
        Assert.Equal("upstream/petstore created", created.Out.Trim());
        var again = (await CliProcess.RunAsync(["upstream", "create", "-f", "-", .. Dir], Petstore)).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("upstream/petstore: upstream 'petstore' already exists", again.Err, StringComparison.Ordinal);

        var table = (await CliProcess.RunAsync(["upstream", "get", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^NAME\s+TYPE\s+STATUS\s+REASON$", table.Out);
        Assert.Matches(@"(?m)^petstore\s+static\s+Pending$", table.Out);
        var wide = (await CliProcess.RunAsync(["us", "get", "-o", "wide", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^petstore\s+static\s+list-pets\s+1\s+Pending$", wide.Out);
        var yaml = (await CliProcess.RunAsync(["upstream", "get", "petstore", "-o", "yaml", .. Dir])).AssertExit(0);
        Assert.Contains("name: petstore", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("resource_version: '1'", yaml.Out, StringComparison.Ordinal);
        var json = (await CliProcess.RunAsync(["upstream", "get", "petstore", "-o", "json", .. Dir])).AssertExit(0);
        Assert.Equal(9191, JsonDocument.Parse(json.Out).RootElement.GetProperty("spec").GetProperty("hosts")[0].GetProperty("port").GetInt32());
        var template = (await CliProcess.RunAsync(["upstream", "get", "--template", "{name}:{spec.hosts[0].port}:{functions[0].name}:{status.state}:{{x}}", .. Dir])).AssertExit(0);
        Assert.Equal("petstore:9191:list-pets:Pending:{x}", template.Out.Trim());
        var badTemplate = (await CliProcess.RunAsync(["upstream", "get", "--template", "{name", .. Dir])).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("--template: '{' at position 1 is not closed", badTemplate.Err, StringComparison.Ordinal);
        var badFormat = (await CliProcess.RunAsync(["upstream", "get", "-o", "yml", .. Dir])).AssertExit(1);
        Assert.Contains("did you mean 'yaml'?", badFormat.Err, StringComparison.Ordinal);

        var updated = (await CliProcess.RunAsync(["upstream", "update", "-f", "-", .. Dir], Petstore.Replace("9191", "9292", StringComparison.Ordinal))).AssertExit(0);
        Assert.Equal("upstream/petstore updated", updated.Out.Trim());
        Assert.Contains("9292", File.ReadAllText(Path.Combine(_config.Path, "upstreams", "petstore.yaml")), StringComparison.Ordinal);
        var stale = (await CliProcess.RunAsync(["upstream", "update", "-f", "-", .. Dir], Petstore + "\nmetadata: {resource_version: '1'}\n")).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("resource version 1 is stale (current is 2)", stale.Err, StringComparison.Ordinal);
        var missing = (await CliProcess.RunAsync(["upstream", "update", "-f", "-", .. Dir], Petstore.Replace("petstore", "petshop", StringComparison.Ordinal))).AssertExit(1);
        Assert.Contains("upstream/petshop: not found", missing.Err, StringComparison.Ordinal);

        var typo = (await CliProcess.RunAsync(["upstream", "get", "petstor", .. Dir])).AssertExit(1).AssertNoStackTrace();
        Assert.Equal("error: upstream 'petstor': not found; did you mean 'petstore'?", typo.Err.Trim());
        (await CliProcess.RunAsync(["upstream", "delete", "petstore", .. Dir])).AssertExit(0);
        var gone = (await CliProcess.RunAsync(["upstream", "delete", "petstore", .. Dir])).AssertExit(1);
        Assert.Contains("upstream/petstore: not found", gone.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Virtualservice_verbs_and_the_kubectl_forms_keep_working()
    {
        (await CliProcess.RunAsync(["apply", "-f", "-", .. Dir], Petstore)).AssertExit(0);
        const string Shop = "name: shop\ndomains: [shop.example.com]\nroutes:\n- request_matcher: {path_prefix: /}\n  single_destination: {upstream: {name: petstore}}\n";
        (await CliProcess.RunAsync(["virtualservice", "create", "-f", "-", .. Dir], Shop)).AssertExit(0);
        var wide = (await CliProcess.RunAsync(["vs", "get", "-o", "wide", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^shop\s+shop\.example\.com\s+-\s+1\s+1\s+Pending$", wide.Out);
        var kubectl = (await CliProcess.RunAsync(["get", "virtualservices", "shop", "--template", "{domains[0]}", .. Dir])).AssertExit(0);
        Assert.Equal("shop.example.com", kubectl.Out.Trim());
        (await CliProcess.RunAsync(["delete", "vs", "shop", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["delete", "upstream", "petstore", .. Dir])).AssertExit(0);
    }

    [Fact]
    public async Task Reading_never_writes_the_folder()
    {
        _config.Write("upstreams/petstore.yaml", Petstore);
        (await CliProcess.RunAsync(["get", "upstreams", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["upstream", "get", "-o", "yaml", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["validate", _config.Path])).AssertExit(0);
        (await CliProcess.RunAsync(["check", "--offline", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["secret", "get", .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["route", "get", "--vs", "missing", .. Dir])).AssertExit(1);
        Assert.False(Directory.Exists(Path.Combine(_config.Path, ".sluice")), "a read created .sluice/");
    }

    [Fact]
    public async Task Misspelt_commands_and_flags_get_a_suggestion_and_exit_1()
    {
        var command = (await CliProcess.RunAsync("upstrem", "get")).AssertExit(1).AssertNoStackTrace();
        Assert.StartsWith("error: unknown command 'upstrem'; did you mean 'upstream'?", command.Err, StringComparison.Ordinal);
        var sub = (await CliProcess.RunAsync("route", "ad", "--path-prefix", "/")).AssertExit(1);
        Assert.StartsWith("error: unknown command 'route ad'; did you mean 'add'?", sub.Err, StringComparison.Ordinal);
        var flag = (await CliProcess.RunAsync("get", "us", "--confg-dir", "x")).AssertExit(1);
        Assert.StartsWith("error: unknown option '--confg-dir'; did you mean '--config-dir'?", flag.Err, StringComparison.Ordinal);
        var routeFlag = (await CliProcess.RunAsync("route", "add", "--path-prefx", "/a")).AssertExit(1);
        Assert.StartsWith("error: unknown option '--path-prefx'; did you mean '--path-prefix'?", routeFlag.Err, StringComparison.Ordinal);
        var store = (await CliProcess.RunAsync(["get", "us", .. Dir], environment: new Dictionary<string, string> { ["SLUICE_STORE"] = "etc" })).AssertExit(1);
        Assert.Contains("SLUICE_STORE: 'etc' is not a store", store.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_come_from_the_config_file_after_flags_and_variables()
    {
        _config.Write("upstreams/petstore.yaml", Petstore);
        var home = Directory.CreateTempSubdirectory("sluice-home-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(home, ".sluice"));
            File.WriteAllText(Path.Combine(home, ".sluice", "config.yaml"), $"config_dir: {_config.Path}\n");
            var env = new Dictionary<string, string> { ["HOME"] = home };
            var fromFile = (await CliProcess.RunAsync(["get", "us", "--template", "{name}"], environment: env)).AssertExit(0);
            Assert.Equal("petstore", fromFile.Out.Trim());
            var flagWins = (await CliProcess.RunAsync(["get", "us", "--config-dir", Path.Combine(home, "nowhere")], environment: env)).AssertExit(1);
            Assert.Contains("nowhere' does not exist", flagWins.Err, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(home, ".sluice", "config.yaml"), "store: consul\n");
            var named = (await CliProcess.RunAsync(["get", "us"], environment: env)).AssertExit(1);
            Assert.Contains("config.yaml: store: 'consul' is not a store", named.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    public void Dispose() => _config.Dispose();
}
