using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Consul;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Consul;

/// <summary>
/// Upstream discovery from the catalog of a FAKE Consul agent (<see cref="FakeConsulAgent"/>; no
/// real agent can be installed here), writing into a real config folder through the file store.
/// </summary>
public sealed class ConsulDiscoveryTests : IAsyncLifetime
{
    private readonly Cli.ConfigFolder _folder = new();
    private FakeConsulAgent _agent = null!;
    private FileStore _store = null!;

    public async Task InitializeAsync()
    {
        _agent = await FakeConsulAgent.StartAsync();
        _store = new FileStore(_folder.Path);
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task One_upstream_per_service_is_created_kept_in_step_and_removed_with_its_service()
    {
        _agent.Register("pets-0", "pets", 8080, tags: ["v1"]);
        _agent.Register("api-0", "Web_API", 9090);
        // A user's upstream of the same name as a service: discovery never touches it.
        _folder.Write("upstreams/orders.yaml", "name: orders\ntype: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\n");
        _agent.Register("orders-0", "orders", 7070);

        using var stop = new CancellationTokenSource();
        var running = StartDiscovery(SoleLeader.Instance, stop.Token);

        await Eventually.HoldsAsync(async () => (await Upstreams()).Count == 3, "pets and web-api discovered");
        var upstreams = await Upstreams();
        Assert.Equal(["orders", "pets", "web-api"], upstreams.Keys.Order(StringComparer.Ordinal));
        var pets = upstreams["pets"];
        Assert.Equal("consul", pets.Type);
        Assert.Equal("""{"service_name":"pets"}""", pets.Spec.ToString());
        Assert.Equal(ConsulUpstreamDiscovery.Owner, pets.Metadata.Annotations[ConsulUpstreamDiscovery.OwnerAnnotation]);
        Assert.Equal("""{"service_name":"Web_API"}""", upstreams["web-api"].Spec.ToString());
        Assert.Equal("static", upstreams["orders"].Type);
        Assert.False(upstreams["orders"].Metadata.Annotations.ContainsKey(ConsulUpstreamDiscovery.OwnerAnnotation));

        // Consul's own service is not an upstream; an unchanged catalog writes nothing.
        var version = pets.Metadata.ResourceVersion;
        _agent.Register("pets-1", "pets", 8081, node: "node-2");
        await Eventually.HoldsAsync(() => Task.FromResult(_agent.Queries.Count(q => q.Path == "/v1/catalog/services") >= 3), "the catalog read again");
        Assert.Equal(version, (await Upstreams())["pets"].Metadata.ResourceVersion);

        _agent.Deregister("pets-0");
        _agent.Deregister("pets-1");
        _agent.Deregister("orders-0");
        await Eventually.HoldsAsync(async () => !(await Upstreams()).ContainsKey("pets"), "pets removed");
        Assert.Equal(["orders", "web-api"], (await Upstreams()).Keys.Order(StringComparer.Ordinal));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_process_that_does_not_lead_writes_nothing()
    {
        _agent.Register("pets-0", "pets", 8080);
        using var stop = new CancellationTokenSource();
        var running = StartDiscovery(new Standby(), stop.Token);

        // The second query is sent only once the first answer was handled (and nothing written).
        await Eventually.HoldsAsync(() => Task.FromResult(_agent.Queries.Count >= 2), "the catalog read twice");
        Assert.Empty(await Upstreams());

        await stop.CancelAsync();
        await running;
    }

    [Theory]
    [InlineData("pets", "pets")]
    [InlineData("Web_API", "web-api")]
    [InlineData("billing.v2", "billing.v2")]
    [InlineData("_internal_", "internal")]
    [InlineData("___", null)]
    public void Service_names_become_object_names(string service, string? upstream) =>
        Assert.Equal(upstream, ConsulUpstreamDiscovery.UpstreamName(service));

    private Task StartDiscovery(ILeadership leadership, CancellationToken cancellationToken)
    {
        var discovery = new ConsulUpstreamDiscovery(_store, new ConsulOptions { Address = _agent.Address, Wait = TimeSpan.FromSeconds(1) }, leadership, NullLogger<ConsulUpstreamDiscovery>.Instance);
        return Task.Run(async () =>
        {
            using (discovery)
            {
                await discovery.RunAsync(cancellationToken);
            }
        }, CancellationToken.None);
    }

    private async Task<Dictionary<string, Upstream>> Upstreams() =>
        (await _store.LoadAsync(CancellationToken.None)).Upstreams.ToDictionary(u => u.Name);


    /// <summary>A controller that is not the elected leader.</summary>
    private sealed class Standby : ILeadership
    {
        public string Identity => "standby";

        public bool IsLeader => false;

        public string? Leader => "someone-else";

        public event Action? Changed
        {
            add { }
            remove { }
        }
    }
}
