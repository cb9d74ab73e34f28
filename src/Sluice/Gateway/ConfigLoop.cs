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
/// </summary>
internal sealed partial class ConfigLoop(IConfigStore store, Translator translator, PlanHolder plans, GatewayRole role, GatewayTelemetry telemetry, ILogger<ConfigLoop> logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TlsFileCheckInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(ConfigKind, string), Status> _written = [];
    // The store's watch and the certificate-file check both apply snapshots; one at a time.
    private readonly SemaphoreSlim _applying = new(1, 1);
    private TranslationState _state = TranslationState.Empty;
    private ConfigSnapshot? _lastFromStore;
    private string _tlsFilesStamp = "";

    public ConfigView? Latest { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tlsFiles = CheckTlsFilesAsync(cancellationToken);
        await WatchStoreAsync(cancellationToken);
        await tlsFiles;
    }

    private async Task WatchStoreAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var snapshot in store.WatchAsync(cancellationToken))
                {
                    await ApplyAsync(snapshot, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.WatchFailed(logger, e);
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
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
        if (role != GatewayRole.Gateway)
        {
            await ReportAsync(snapshot, result.Reports, cancellationToken);
        }
    }

    private async Task ReportAsync(ConfigSnapshot snapshot, IReadOnlyList<ObjectReport> reports, CancellationToken cancellationToken)
    {
        var stored = snapshot.Upstreams.Cast<IConfigObject>().Concat(snapshot.VirtualServices)
            .ToDictionary(o => (o.Kind, o.Name), o => o.Status);
        foreach (var report in reports)
        {
            var key = (report.Kind, report.Name);
            var current = _written.TryGetValue(key, out var written) ? written : stored.GetValueOrDefault(key);
            if (report.Status.Equals(current))
            {
                continue;
            }
            try
            {
                await store.WriteStatusAsync(report.Kind, report.Name, report.Status, cancellationToken);
                _written[key] = report.Status;
            }
            catch (StoreNotFoundException)
            {
                // Deleted since the snapshot was taken; the next snapshot will not list it.
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

        [LoggerMessage(EventId = EventIds.StatusWriteFailed, Level = LogLevel.Warning, Message = "Could not write the status of {Kind} '{Name}'")]
        public static partial void StatusWriteFailed(ILogger logger, string kind, string name, Exception exception);
    }
}
