using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Sluice.Discovery;
using Sluice.Gateway;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Discovery beside the gateway in <c>sluice run</c>: it runs for roles <c>controller</c> and
/// <c>all</c> (the roles that write to the store) unless the mode is <c>disabled</c>, reports in
/// <c>/api/v1/discovery</c> and <c>/metrics</c>, and stops with the server.
/// </summary>
internal sealed class DiscoveryHost : IAsyncDisposable
{
    private readonly DiscoveryOptions _options;
    private readonly DiscoveryService? _service;
    private readonly ILoggerFactory? _loggers;
    private readonly string? _why;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILeadership? _leadership;
    private Task _running = Task.CompletedTask;

    /// <param name="leadership">When given (a store shared by several controllers), discovery runs only while this process leads.</param>
    public DiscoveryHost(GatewayOptions gateway, DiscoveryOptions options, IConfigStore store, ILeadership? leadership = null)
    {
        _options = options;
        _leadership = leadership;
        if (gateway.Role == GatewayRole.Gateway)
        {
            _why = "role gateway (discovery runs with roles controller and all)";
        }
        else if (options.Mode == DiscoveryMode.Disabled)
        {
            _why = "discovery is disabled (--discovery)";
        }
        else if (store is not IDiscoveryStore)
        {
            _why = "this store does not keep discovered functions";
        }
        else
        {
            _loggers = LoggerFactory.Create(f => f.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            _service = new DiscoveryService(store, options, _loggers.CreateLogger<DiscoveryService>());
        }
    }

    public void MapAdmin(IEndpointRouteBuilder admin) => DiscoveryAdminEndpoints.Map(admin, _service, _options.Mode, _why);

    public void Start(SluiceServer server)
    {
        if (_service is { } service)
        {
            server.Telemetry.Metrics.ObserveDiscovery(() => service.States.Select(s => (s.Upstream, s.State, s.Functions, s.Passes)));
            _running = _leadership is null ? service.RunAsync(_stop.Token) : service.RunWhileLeadingAsync(_leadership, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _service?.Dispose();
        _loggers?.Dispose();
        _stop.Dispose();
    }
}
