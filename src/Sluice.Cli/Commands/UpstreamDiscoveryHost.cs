using Microsoft.Extensions.Logging;
using Sluice.Gateway;
using Sluice.Kubernetes;
using Sluice.Kubernetes.UpstreamDiscovery;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Upstream discovery beside the gateway in <c>sluice run</c>: when asked for, with roles
/// <c>controller</c> and <c>all</c> (the roles that write), writing only while this process leads.
/// </summary>
internal sealed class UpstreamDiscoveryHost : IAsyncDisposable
{
    private readonly KubernetesUpstreamDiscovery? _discovery;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public UpstreamDiscoveryHost(GatewayOptions gateway, KubernetesUpstreamDiscoveryOptions? options, KubernetesStoreOptions cluster, IConfigStore store, ILeadership? leadership, ILoggerFactory loggers)
    {
        if (options is not null && gateway.Role != GatewayRole.Gateway)
        {
            k8s.KubernetesClientConfiguration configuration;
            try
            {
                configuration = KubernetesApi.Configure(cluster);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new CliException($"--discovery-upstreams kubernetes: no Kubernetes cluster found ({e.Message}); give --kubeconfig, set KUBECONFIG, or run in a pod");
            }
            _discovery = new KubernetesUpstreamDiscovery(configuration, store, leadership ?? SoleLeader.Instance, options, loggers.CreateLogger<KubernetesUpstreamDiscovery>());
        }
    }

    public void Start()
    {
        if (_discovery is { } discovery)
        {
            _running = discovery.RunAsync(_stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _discovery?.Dispose();
        _stop.Dispose();
    }
}
