using Sluice.Etcd;
using Sluice.IntegrationTests.Cli;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>
/// What a scaled-out deployment looks like: a three-member etcd cluster, three gateway
/// processes and two controller processes (the built <c>sluice</c> binary), one backend.
/// Controllers hold a short lease so takeover tests stay short.
/// </summary>
public sealed class ScaleOutFixture : IAsyncLifetime
{
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);

    private TestBackend? _backend;

    public EtcdCluster Cluster { get; private set; } = null!;

    internal EtcdStore Store { get; private set; } = null!;

    internal IReadOnlyList<SluiceProcess> Gateways { get; private set; } = [];

    internal IReadOnlyList<SluiceProcess> Controllers { get; private set; } = [];

    public string Prefix { get; } = EtcdClusterFixture.UniquePrefix();

    public int BackendPort => _backend!.Port;

    /// <summary>The store flags every process and CLI call here takes.</summary>
    public string[] StoreFlags => ["--store", "etcd", "--etcd-endpoints", Cluster.EndpointList, "--etcd-prefix", Prefix];

    public async Task InitializeAsync()
    {
        Cluster = await EtcdCluster.StartAsync();
        _backend = await TestBackend.StartAsync("backend");
        Store = new EtcdStore(new EtcdOptions { Endpoints = Cluster.Endpoints, Prefix = Prefix, RequestTimeout = TimeSpan.FromSeconds(3) });
        await Store.CreateAsync(EtcdObjects.Upstream("backend", BackendPort), CancellationToken.None);
        await Store.CreateAsync(EtcdObjects.Route("site", "/v1", "backend"), CancellationToken.None);

        var ttl = LeaseTtl.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Gateways = Enumerable.Range(1, 3).Select(i => SluiceProcess.Start($"gateway-{i}", "gateway", [.. StoreFlags, "--drain-delay", "1"])).ToArray();
        Controllers = Enumerable.Range(1, 2).Select(i => SluiceProcess.Start($"controller-{i}", "controller", [.. StoreFlags, "--lease-ttl", ttl])).ToArray();
        foreach (var process in Gateways.Concat(Controllers))
        {
            await process.WaitReadyAsync(TimeSpan.FromSeconds(90));
        }
    }

    /// <summary><c>sluice apply -f -</c> against etcd, as a user runs it.</summary>
    public async Task ApplyAsync(string yaml) =>
        (await CliRun.RunWithInputAsync(yaml, ["apply", "-f", "-", .. StoreFlags])).AssertExit(0);

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s");
            }
            await Task.Delay(25);
        }
    }

    /// <summary>Waits for <paramref name="condition"/>; a timeout shows what the processes logged, which is what explains it.</summary>
    public async Task WaitExplainedAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        try
        {
            await WaitAsync(condition, timeout, what);
        }
        catch (TimeoutException e)
        {
            var logs = string.Join("\n", Gateways.Concat(Controllers).Select(p => $"--- {p.Name}:\n{p.Output}"));
            throw new TimeoutException($"{e.Message}\n{logs}", e);
        }
    }

    /// <summary>True when every gateway answers <paramref name="path"/> with <paramref name="status"/>.</summary>
    public async Task<bool> AllServeAsync(string path, int status = 200)
    {
        foreach (var gateway in Gateways)
        {
            if (await gateway.StatusOfAsync(path) != status)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The virtual service "site" (every domain) with one route per path prefix, all to the backend.</summary>
    public static string Site(params string[] prefixes) => "name: site\ndomains: ['*']\nroutes:\n" + string.Concat(prefixes.Select(p => $"""
        - request_matcher:
            path_prefix: {p}
          single_destination:
            upstream:
              name: backend

        """));

    public async Task DisposeAsync()
    {
        foreach (var process in Gateways.Concat(Controllers))
        {
            await process.DisposeAsync();
        }
        Store?.Dispose();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
