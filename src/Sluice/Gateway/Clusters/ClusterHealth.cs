using System.Diagnostics;
using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// Which endpoints of a cluster may be picked: not failed by active health checks, reachable
/// (for clients that connect by themselves), and not ejected by outlier detection. Outlier
/// detection itself is here: what each attempt came to, and ejections capped by
/// <c>max_ejection_percent</c>. The per-endpoint facts live on <see cref="EndpointState"/>, which
/// is kept by address across reloads; this only derives the candidate set from them.
/// </summary>
internal sealed class ClusterHealth
{
    private volatile Snapshot _snapshot = new([], []);
    private long _nextReadmission = long.MaxValue;
    private readonly Lock _ejectionLock = new();

    /// <summary>
    /// The endpoints of <paramref name="all"/> a request may go to; empty when none may (then all
    /// are candidates: panic mode). The set remembers which endpoint array it was computed for,
    /// so one computed for a model just replaced (a health report racing a reload) is never used
    /// for the new one: it is computed again.
    /// </summary>
    public EndpointState[] UsableOf(EndpointState[] all)
    {
        var snapshot = _snapshot;
        return ReferenceEquals(snapshot.For, all) ? snapshot.Usable : Recompute(all);
    }

    /// <summary>Readmits endpoints whose ejection has ended; cheap when none has.</summary>
    public void ReadmitDue(EndpointState[] all)
    {
        if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _nextReadmission))
        {
            Recompute(all);
        }
    }

    /// <summary>
    /// Recomputes the usable set when a health check, reachability or an ejection changes, and
    /// notes when the next ejection ends (a request after that moment recomputes it again).
    /// </summary>
    public EndpointState[] Recompute(EndpointState[] all)
    {
        var now = Stopwatch.GetTimestamp();
        var usable = all.Where(e => e.IsHealthy && e.IsReachable && !e.IsEjected(now)).ToArray();
        _snapshot = new Snapshot(all, usable);
        var ejections = all.Select(e => e.EjectedUntil).Where(until => until > now);
        Volatile.Write(ref _nextReadmission, ejections.DefaultIfEmpty(long.MaxValue).Min());
        return usable;
    }

    private sealed record Snapshot(EndpointState[] For, EndpointState[] Usable);

    /// <summary>Outlier detection: what one attempt to <paramref name="endpoint"/> came to.</summary>
    public void Record(EndpointState[] all, OutlierDetectionPlan? outliers, EndpointState endpoint, AttemptOutcome outcome)
    {
        if (outliers is null || outcome == AttemptOutcome.Unknown)
        {
            return;
        }
        var eject = outcome switch
        {
            AttemptOutcome.Success => Succeeded(endpoint),
            AttemptOutcome.ServerError => outliers.Consecutive5xx > 0 && endpoint.Failed5xx() >= outliers.Consecutive5xx,
            _ => outliers.ConsecutiveConnectFailures > 0 && endpoint.FailedToConnect() >= outliers.ConsecutiveConnectFailures,
        };
        if (eject)
        {
            TryEject(all, endpoint, outliers);
        }
    }

    private static bool Succeeded(EndpointState endpoint)
    {
        endpoint.Succeeded();
        return false;
    }

    private void TryEject(EndpointState[] all, EndpointState endpoint, OutlierDetectionPlan outliers)
    {
        lock (_ejectionLock)
        {
            var now = Stopwatch.GetTimestamp();
            if (endpoint.IsEjected(now))
            {
                return;
            }
            // Envoy's rule: the percentage caps ejections, but one endpoint may always go.
            var allowed = Math.Max(1, all.Length * outliers.MaxEjectionPercent / 100);
            if (all.Count(e => e.IsEjected(now)) >= allowed)
            {
                return;
            }
            endpoint.Ejections++;
            endpoint.EjectedUntil = now + (long)(outliers.BaseEjectionTime.TotalSeconds * endpoint.Ejections * Stopwatch.Frequency);
            endpoint.Succeeded();
            Recompute(all);
        }
    }
}
