using System.CommandLine;
using Sluice.Cli;
using Sluice.Cli.Commands;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Consul;

/// <summary>
/// <c>sluice run</c> with Consul: its flags and variables, and the built binary discovering an
/// upstream from a FAKE Consul agent's catalog (<see cref="FakeConsulAgent"/>; no real agent can
/// be installed here) and serving it with the endpoints from its health API.
/// </summary>
public sealed class ConsulCliTests
{
    [Fact]
    public async Task The_built_gateway_discovers_a_service_and_routes_to_its_instances()
    {
        await using var agent = await FakeConsulAgent.StartAsync();
        await using var backend = await TestBackend.StartAsync("pets-backend");
        agent.Register("pets-0", "pets", backend.Port);
        using var folder = new Cli.ConfigFolder();
        folder.Write("virtualservices/default.yaml", "name: default\nroutes:\n- request_matcher: { path_prefix: / }\n  single_destination: { upstream: { name: pets } }\n");

        await using var gateway = SluiceProcess.Start("consul", "all", "--config-dir", folder.Path, "--discovery-upstreams", "consul", "--consul-address", agent.Address.ToString());
        await gateway.WaitReadyAsync(TimeSpan.FromSeconds(30));

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync(gateway.Traffic + "/hello");
            if (response.Headers.TryGetValues("x-backend", out var names) && names.Single() == backend.Name)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"pets was not served within 30 s; last answer {(int)response.StatusCode}\n{gateway.Output}");
            await Task.Delay(50);
        }
        Assert.Contains("generated_by: consul-upstream-discovery", await File.ReadAllTextAsync(Path.Combine(folder.Path, "upstreams", "pets.yaml")));
    }

    [Fact]
    public void The_address_comes_from_the_flag_then_sluices_variable_then_consuls_and_the_token_from_consuls()
    {
        var environment = new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = "consul.local:8500", ["CONSUL_HTTP_TOKEN"] = "t0ken" };
        Assert.Equal(new Uri("http://consul.local:8500"), Resolve([], environment).Address);
        Assert.Equal("t0ken", Resolve([], environment).Token);
        environment["SLUICE_CONSUL_ADDRESS"] = "https://sluice.consul:8501";
        Assert.Equal(new Uri("https://sluice.consul:8501"), Resolve([], environment).Address);
        Assert.Equal(new Uri("http://10.0.0.9:8500"), Resolve(["--consul-address", "10.0.0.9:8500"], environment).Address);
        Assert.Equal(new Uri("http://127.0.0.1:8500"), Resolve([], []).Address);
        Assert.Null(Resolve([], []).Token);
    }

    [Theory]
    [InlineData(new[] { "--consul-address", "unix:///consul.sock" }, "", "--consul-address: 'unix:///consul.sock' is not a Consul address")]
    [InlineData(new string[0], "ftp://consul", "CONSUL_HTTP_ADDR: 'ftp://consul' is not a Consul address")]
    public void A_bad_address_names_where_it_came_from(string[] args, string variable, string message)
    {
        var error = Assert.Throws<CliException>(() => Resolve(args, new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = variable }));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Upstream_discovery_is_off_by_default_and_takes_a_list_that_may_name_both_registries()
    {
        var flags = new UpstreamDiscoveryFlags();
        var command = new RootCommand();
        foreach (var option in flags.All)
        {
            command.Add(option);
        }
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, _ => null);
        Assert.False(flags.FromConsul(command.Parse([]), context));
        Assert.Null(flags.Resolve(command.Parse([]), context));

        var consulOnly = command.Parse(["--discovery-upstreams", " Consul"]);
        Assert.True(flags.FromConsul(consulOnly, context));
        Assert.Null(flags.Resolve(consulOnly, context));

        var both = command.Parse(["--discovery-upstreams", "kubernetes,consul"]);
        Assert.True(flags.FromConsul(both, context));
        Assert.NotNull(flags.Resolve(both, context));

        var error = Assert.Throws<CliException>(() => flags.FromConsul(command.Parse(["--discovery-upstreams", "consul,eureka"]), context));
        Assert.Equal("--discovery-upstreams: 'eureka' is not an upstream discovery source (kubernetes, consul or none)", error.Message);
    }

    private static Sluice.Consul.ConsulOptions Resolve(string[] args, Dictionary<string, string> environment)
    {
        var flags = new ConsulFlags();
        var command = new RootCommand();
        foreach (var option in flags.All)
        {
            command.Add(option);
        }
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, name => environment.GetValueOrDefault(name) is { Length: > 0 } value ? value : null);
        return flags.Resolve(command.Parse(args), context);
    }
}
