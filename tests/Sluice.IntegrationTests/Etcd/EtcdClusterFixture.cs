using Sluice.Etcd;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>One three-member cluster per test class; each test works under its own prefix.</summary>
public sealed class EtcdClusterFixture : IAsyncLifetime
{
    private EtcdCluster? _cluster;

    public EtcdCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    /// <summary>A store on every member, under a prefix nobody else uses.</summary>
    internal EtcdStore Store(string? prefix = null, IReadOnlyList<string>? endpoints = null, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(Options(prefix ?? UniquePrefix(), endpoints), logger);

    internal EtcdOptions Options(string prefix, IReadOnlyList<string>? endpoints = null) => new()
    {
        Endpoints = endpoints ?? Cluster.Endpoints,
        Prefix = prefix,
        RequestTimeout = TimeSpan.FromSeconds(3),
        Debounce = TimeSpan.FromMilliseconds(20),
    };

    public static string UniquePrefix() => $"/test-{Guid.NewGuid():N}/";

    public async Task InitializeAsync() => _cluster = await EtcdCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
