using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// Active health checking of one cluster model: every interval, each endpoint is probed with a
/// GET through the cluster's own client; thresholds of consecutive results flip its health. Runs
/// from creation until the model is replaced. The next model's checker carries on where this one
/// stopped: the endpoints it keeps keep their streaks, and its first round waits for the round
/// that was due (<see cref="ClusterState.NextHealthRound"/>), so endpoint churn (pods coming and
/// going) neither resets the thresholds nor probes every endpoint at every change.
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
        try
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _owner.NextHealthRound);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            using var timer = new PeriodicTimer(_plan.Interval);
            do
            {
                _owner.NextHealthRound = Stopwatch.GetTimestamp() + (long)(_plan.Interval.TotalSeconds * Stopwatch.Frequency);
                var results = await Task.WhenAll(_cluster.Endpoints.Select(e => ProbeAsync(e, cancellationToken)));
                // A replaced checker's last round is not counted: the next one owns the streaks now.
                cancellationToken.ThrowIfCancellationRequested();
                var changed = false;
                for (var i = 0; i < results.Length; i++)
                {
                    changed |= Record(_cluster.Endpoints[i], results[i]);
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
    private bool Record(EndpointState endpoint, bool passed)
    {
        if (passed == endpoint.IsHealthy)
        {
            endpoint.HealthStreak = 0;
            return false;
        }
        var streak = ++endpoint.HealthStreak;
        if (streak < (endpoint.IsHealthy ? _plan.UnhealthyThreshold : _plan.HealthyThreshold))
        {
            return false;
        }
        endpoint.HealthStreak = 0;
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
