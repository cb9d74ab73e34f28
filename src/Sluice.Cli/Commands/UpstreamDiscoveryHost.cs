using Microsoft.Extensions.Logging;
using Sluice.Consul;
using Sluice.Gateway;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Upstream discovery beside the gateway in <c>sluice run</c>, for the registries named by
/// <c>--discovery-upstreams</c>: it runs for roles <c>controller</c> and <c>all</c> (the roles
/// that write to the store), writes only while this process leads, and stops with the server.
/// </summary>
internal sealed class UpstreamDiscoveryHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConsulUpstreamDiscovery? _consul;
    private readonly Task _running = Task.CompletedTask;

    public UpstreamDiscoveryHost(GatewayOptions gateway, IReadOnlySet<string> sources, ConsulOptions consul, IConfigStore store, ILeadership? leadership, ILoggerFactory loggers)
    {
        if (gateway.Role != GatewayRole.Gateway && sources.Contains("consul"))
        {
            _consul = new ConsulUpstreamDiscovery(store, consul, leadership ?? SoleLeader.Instance, loggers.CreateLogger<ConsulUpstreamDiscovery>());
            _running = _consul.RunAsync(_stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _consul?.Dispose();
        _stop.Dispose();
    }
}
