using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Storage;
using Sluice.Telemetry;
using Sluice.Translation;

namespace Sluice.Gateway;

/// <summary>
/// The control loop: every snapshot the store yields is translated, its plan swapped in, and its
/// verdicts written back, only where they changed (a status write never retriggers translation:
/// the store does not count it as a change). A failure here never takes down what is serving.
/// Run-time findings (what invokers learn once connected) are merged into the verdicts when
/// written, and a change in them writes the statuses again.
/// </summary>
internal sealed partial class ConfigLoop(IConfigStore store, Translator translator, PlanHolder plans, GatewayRole role, ILeadership leadership, GatewayTelemetry telemetry, ILogger<ConfigLoop> logger, RuntimeFindings? findings = null)
{
    private readonly RuntimeFindings _findings = findings ?? new RuntimeFindings();
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TlsFileCheckInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(ConfigKind, string), (string? Version, Status Status)> _written = [];
    // The store's watch and the certificate-file check both apply snapshots; one at a time.
    private readonly SemaphoreSlim _applying = new(1, 1);
    private TranslationState _state = TranslationState.Empty;
    private ConfigSnapshot? _lastFromStore;
    private string _tlsFilesStamp = "";

    public ConfigView? Latest { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tlsFiles = CheckTlsFilesAsync(cancellationToken);
        // A controller that becomes leader writes the verdicts of the plan it already judged.
        void OnLeadershipChanged() => _ = ReportAsLeaderAsync(cancellationToken);
        void OnFindingsChanged() => _ = ReportFindingsAsync(cancellationToken);
        leadership.Changed += OnLeadershipChanged;
        _findings.Changed += OnFindingsChanged;
        try
        {
            await WatchStoreAsync(cancellationToken);
        }
        finally
        {
            leadership.Changed -= OnLeadershipChanged;
            _findings.Changed -= OnFindingsChanged;
        }
        await tlsFiles;
    }

    private async Task WatchStoreAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        var waiting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var snapshot in store.WatchAsync(cancellationToken))
                {
                    delay = FirstRetryDelay;
                    waiting = false;
                    await ApplyAsync(snapshot, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Said once per outage, not once per retry: a gateway started while its store is
                // down waits quietly (backing off) and serves as soon as the store answers.
                if (!waiting)
                {
                    if (Latest is null)
                    {
                        Log.WaitingForStore(logger, e.Message);
                    }
                    else
                    {
                        Log.WatchFailed(logger, e);
                    }
                    waiting = true;
                }
                await Task.Delay(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(LastRetryDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    /// <summary>
    /// On becoming leader: the latest verdicts, compared with the statuses stored now (the former
    /// leader may have written them since this process last listed), so each is written once.
    /// </summary>
    private async Task ReportAsLeaderAsync(CancellationToken cancellationToken)
    {
        if (role == GatewayRole.Gateway || !leadership.IsLeader || Latest is null)
        {
            return;
        }
        try
        {
            var stored = await store.LoadAsync(cancellationToken);
            await _applying.WaitAsync(cancellationToken);
            try
            {
                _written.Clear();
                if (Latest is { } view && leadership.IsLeader)
                {
                    await ReportAsync(view.Snapshot, _findings.Merge(view.Result.Reports), stored, cancellationToken);
                }
            }
            finally
            {
                _applying.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The next snapshot reports again.
            Log.WatchFailed(logger, e);
        }
    }

    /// <summary>An invoker learned something about its upstream: the latest verdicts with it, written where they changed.</summary>
    private async Task ReportFindingsAsync(CancellationToken cancellationToken)
    {
        if (role == GatewayRole.Gateway || !leadership.IsLeader)
        {
            return;
        }
        try
        {
            await _applying.WaitAsync(cancellationToken);
            try
            {
                if (Latest is { } view && leadership.IsLeader)
                {
                    await ReportAsync(view.Snapshot, _findings.Merge(view.Result.Reports), view.Snapshot, cancellationToken);
                }
            }
            finally
            {
                _applying.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Re-applies the last snapshot when a certificate file named by <c>ssl_files</c> changed.</summary>
    private async Task CheckTlsFilesAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TlsFileCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_lastFromStore is { } snapshot && TlsFileLoader.Stamp(snapshot) != _tlsFilesStamp)
                {
                    await ApplyAsync(snapshot, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ApplyAsync(ConfigSnapshot fromStore, CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken);
        try
        {
            _lastFromStore = fromStore;
            _tlsFilesStamp = TlsFileLoader.Stamp(fromStore);
            await TranslateAndApplyAsync(TlsFileLoader.Load(fromStore), cancellationToken);
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task TranslateAndApplyAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        TranslationResult result;
        try
        {
            result = translator.Translate(snapshot, _state);
        }
        catch (Exception e)
        {
            // A translator bug must not stop the gateway: keep serving the last plan.
            Log.TranslationFailed(logger, e);
            telemetry.ReloadFailed(stopwatch.Elapsed);
            return;
        }
        _state = result.State;
        if (role != GatewayRole.Controller)
        {
            plans.Apply(result.Plan);
        }
        else
        {
            plans.MarkReady();
        }
        // Metrics first: whoever sees the new view (admin API, tests) then also sees its metrics.
        telemetry.ReloadApplied(stopwatch.Elapsed, result.Plan, result.Reports.Select(r => (r.Kind, r.Status.State)));
        Latest = new ConfigView(snapshot, result, DateTimeOffset.UtcNow);
        Log.PlanApplied(logger, result.Plan.VirtualHosts.Count, result.Plan.Clusters.Count, stopwatch.Elapsed.TotalMilliseconds);
        foreach (var error in snapshot.LoadErrors.Where(e => e.ObjectName is null))
        {
            Log.FileRejected(logger, error.ToString());
        }
        foreach (var warning in snapshot.Warnings)
        {
            Log.FileSkipped(logger, warning.ToString());
        }
        foreach (var report in result.Reports.Where(r => r.Status.State == StatusState.Rejected))
        {
            Log.ObjectRejected(logger, report.Kind.DisplayName(), report.Name, report.Status.Reason ?? "");
        }
        // Statuses are written by one process: the leading controller.
        if (role != GatewayRole.Gateway && leadership.IsLeader)
        {
            await ReportAsync(snapshot, _findings.Merge(result.Reports), snapshot, cancellationToken);
        }
    }

    /// <summary>
    /// Writes each verdict of <paramref name="judged"/> that differs from the status
    /// <paramref name="stored"/> holds for the same version (or that this process wrote last).
    /// </summary>
    private async Task ReportAsync(ConfigSnapshot judged, IReadOnlyList<ObjectReport> reports, ConfigSnapshot stored, CancellationToken cancellationToken)
    {
        static Dictionary<(ConfigKind, string), IConfigObject> ByKey(ConfigSnapshot snapshot) =>
            snapshot.Upstreams.Cast<IConfigObject>().Concat(snapshot.VirtualServices).ToDictionary(o => (o.Kind, o.Name));
        var versions = ByKey(judged);
        var statuses = ReferenceEquals(judged, stored) ? versions : ByKey(stored);
        foreach (var report in reports)
        {
            var key = (report.Kind, report.Name);
            // Null for an object that did not load: its verdict is about whatever the store holds.
            var version = versions.GetValueOrDefault(key)?.Metadata.ResourceVersion;
            var now = statuses.GetValueOrDefault(key);
            var current = _written.TryGetValue(key, out var written) && written.Version == version ? written.Status
                : now?.Metadata.ResourceVersion == version ? now?.Status
                : null;
            if (report.Status.Equals(current))
            {
                continue;
            }
            try
            {
                await store.WriteStatusAsync(report.Kind, report.Name, version, report.Status, cancellationToken);
                _written[key] = (version, report.Status);
            }
            catch (Exception e) when (e is StoreNotFoundException or StoreConflictException)
            {
                // Deleted or changed since the snapshot was taken: the next snapshot brings the
                // object as it is now, and its own verdict.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StatusWriteFailed(logger, report.Kind.DisplayName(), report.Name, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PlanApplied, Level = LogLevel.Information, Message = "Configuration applied: {VirtualHosts} virtual hosts, {Clusters} clusters, translated in {Milliseconds:F1} ms")]
        public static partial void PlanApplied(ILogger logger, int virtualHosts, int clusters, double milliseconds);

        [LoggerMessage(EventId = EventIds.ObjectRejected, Level = LogLevel.Warning, Message = "Rejected {Kind} '{Name}': {Reason}")]
        public static partial void ObjectRejected(ILogger logger, string kind, string name, string reason);

        [LoggerMessage(EventId = EventIds.FileRejected, Level = LogLevel.Warning, Message = "Configuration file not loaded: {Error}")]
        public static partial void FileRejected(ILogger logger, string error);

        [LoggerMessage(EventId = EventIds.FileSkipped, Level = LogLevel.Warning, Message = "File in the configuration folder {Warning}")]
        public static partial void FileSkipped(ILogger logger, string warning);

        [LoggerMessage(EventId = EventIds.TranslationFailed, Level = LogLevel.Error, Message = "Translation failed; the previous configuration keeps serving")]
        public static partial void TranslationFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = EventIds.WatchFailed, Level = LogLevel.Error, Message = "Watching the configuration store failed; retrying")]
        public static partial void WatchFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = EventIds.StoreWaiting, Level = LogLevel.Warning, Message = "Waiting for the configuration store ({Reason}); retrying with backoff, nothing is served until it answers")]
        public static partial void WaitingForStore(ILogger logger, string reason);

        [LoggerMessage(EventId = EventIds.StatusWriteFailed, Level = LogLevel.Warning, Message = "Could not write the status of {Kind} '{Name}'")]
        public static partial void StatusWriteFailed(ILogger logger, string kind, string name, Exception exception);
    }
}
