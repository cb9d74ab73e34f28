using Microsoft.Extensions.Logging;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// Active health checking of one cluster model: every interval, each endpoint is probed with a
/// GET through the cluster's own client; thresholds of consecutive results flip its health. Runs
/// from creation until the model is replaced (the next model probes the same endpoints, kept by address).
/// </summary>
internal sealed partial class HealthChecker : IAsyncDisposable
{
    private readonly ClusterState _owner;
    private readonly ClusterModel _cluster;
    private readonly HealthCheckPlan _plan;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public HealthChecker(ClusterState owner, ClusterModel cluster, HealthCheckPlan plan, ILogger<HealthChecker> logger)
    {
        _owner = owner;
        _cluster = cluster;
        _plan = plan;
        _logger = logger;
        _loop = RunAsync(_stopping.Token);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var streaks = new int[_cluster.Endpoints.Length];
        using var timer = new PeriodicTimer(_plan.Interval);
        try
        {
            do
            {
                var results = await Task.WhenAll(_cluster.Endpoints.Select(e => ProbeAsync(e, cancellationToken)));
                var changed = false;
                for (var i = 0; i < results.Length; i++)
                {
                    changed |= Record(_cluster.Endpoints[i], ref streaks[i], results[i]);
                }
                if (changed)
                {
                    _owner.HealthChanged();
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A streak counts results that disagree with the endpoint's current health (failures while
    /// healthy, passes while unhealthy); it flips the health when it reaches its threshold.
    /// </summary>
    private bool Record(EndpointState endpoint, ref int streak, bool passed)
    {
        if (passed == endpoint.IsHealthy)
        {
            streak = 0;
            return false;
        }
        streak++;
        if (streak < (endpoint.IsHealthy ? _plan.UnhealthyThreshold : _plan.HealthyThreshold))
        {
            return false;
        }
        streak = 0;
        endpoint.IsHealthy = passed;
        Log.HealthChanged(_logger, _cluster.Plan.Name, endpoint.Prefix, passed ? "healthy" : "unhealthy");
        return true;
    }

    private async Task<bool> ProbeAsync(EndpointState endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_plan.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.Prefix + _plan.Path);
            request.Headers.Host = _plan.Host ?? endpoint.HostHeader ?? $"{endpoint.Plan.Host}:{endpoint.Plan.Port}";
            using var response = await _cluster.Client.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return _plan.ExpectedStatuses.Any(range => status >= range.From && status <= range.To);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EndpointHealthChanged, Level = LogLevel.Warning, Message = "Upstream '{Upstream}' endpoint {Endpoint} is now {Health}")]
        public static partial void HealthChanged(ILogger logger, string upstream, string endpoint, string health);
    }
}
