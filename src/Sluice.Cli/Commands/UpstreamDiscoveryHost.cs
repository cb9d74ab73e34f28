using Microsoft.Extensions.Logging;
using Sluice.Consul;
using Sluice.Gateway;
using Sluice.Kubernetes;
using Sluice.Kubernetes.UpstreamDiscovery;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Upstream discovery beside the gateway in <c>sluice run</c>, from Kubernetes Services and from
/// the Consul catalog, each when asked for: with roles <c>controller</c> and <c>all</c> (the roles
/// that write), writing only while this process leads.
/// </summary>
internal sealed class UpstreamDiscoveryHost : IAsyncDisposable
{
    private readonly KubernetesUpstreamDiscovery? _discovery;
    private readonly ConsulUpstreamDiscovery? _consul;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private Task _runningConsul = Task.CompletedTask;

    /// <param name="consul">Where Consul is, when upstreams are made of its catalog; null = not.</param>
    public UpstreamDiscoveryHost(GatewayOptions gateway, KubernetesUpstreamDiscoveryOptions? options, KubernetesStoreOptions cluster, ConsulOptions? consul, IConfigStore store, ILeadership? leadership, ILoggerFactory loggers)
    {
        if (gateway.Role == GatewayRole.Gateway)
        {
            return;
        }
        if (options is not null)
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
        if (consul is not null)
        {
            _consul = new ConsulUpstreamDiscovery(store, consul, leadership ?? SoleLeader.Instance, loggers.CreateLogger<ConsulUpstreamDiscovery>());
        }
    }

    public void Start()
    {
        if (_discovery is { } discovery)
        {
            _running = discovery.RunAsync(_stop.Token);
        }
        if (_consul is { } consul)
        {
            _runningConsul = consul.RunAsync(_stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _runningConsul.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _discovery?.Dispose();
        _consul?.Dispose();
        _stop.Dispose();
    }
}
