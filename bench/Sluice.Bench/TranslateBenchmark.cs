using System.Diagnostics;
using Sluice.Api;
using Sluice.Hosting;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Bench;

/// <summary>
/// Times the pure part of a config change: file store load, a cold translation (first call, JIT
/// included), warm full translations from an empty state, a re-translation of the same snapshot
/// with the previous state (what a no-op change costs), and one added route with the previous
/// state (the translator's share of change-to-served). Prints one human line per figure and a
/// final <c>key=value</c> line for bench/scale.sh.
/// </summary>
internal static class TranslateBenchmark
{
    public static async Task<int> RunAsync(string configDir, int iterations)
    {
        ForceFullCollection();
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);

        var store = new FileStore(configDir);
        var watch = Stopwatch.StartNew();
        var snapshot = await store.LoadAsync(CancellationToken.None);
        var loadColdMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        snapshot = await store.LoadAsync(CancellationToken.None);
        var loadWarmMs = watch.Elapsed.TotalMilliseconds;

        // The codec alone over the same files (second pass timed), to tell parsing from the store's own work.
        DecodeAll(configDir);
        watch.Restart();
        var documents = DecodeAll(configDir);
        var codecMs = watch.Elapsed.TotalMilliseconds;

        var routeCount = snapshot.VirtualServices.Sum(vs => vs.Routes.Count);
        if (snapshot.LoadErrors.Count > 0)
        {
            Console.Error.WriteLine($"warning: {snapshot.LoadErrors.Count} load errors, first: {snapshot.LoadErrors[0]}");
        }

        var translator = new Translator(SluicePlugins.Default);

        watch.Restart();
        var result = translator.Translate(snapshot, TranslationState.Empty);
        var translateColdMs = watch.Elapsed.TotalMilliseconds;

        var notAccepted = result.Reports.Count(r => r.Status.State != StatusState.Accepted);
        if (notAccepted > 0)
        {
            var first = result.Reports.First(r => r.Status.State != StatusState.Accepted);
            Console.Error.WriteLine($"warning: {notAccepted} objects not accepted, first: {first.Kind} {first.Name}: {first.Status.State} {first.Status.Reason}");
        }

        var full = Measure(iterations, () => translator.Translate(snapshot, TranslationState.Empty));
        var same = Measure(iterations, () => translator.Translate(snapshot, result.State));

        var changed = WithOneMoreRoute(snapshot);
        var change = Measure(iterations, () => translator.Translate(changed, result.State));

        ForceFullCollection();
        var retainedBytes = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
        GC.KeepAlive(snapshot);
        GC.KeepAlive(result);
        GC.KeepAlive(changed);

        Console.WriteLine($"config: {snapshot.Upstreams.Count} upstreams, {snapshot.VirtualServices.Count} virtual services, {routeCount} routes, {result.Reports.Count} reports ({notAccepted} not accepted)");
        Console.WriteLine($"load (file store): cold {loadColdMs:F1} ms, warm {loadWarmMs:F1} ms; codec alone (read + decode {documents} documents, warm): {codecMs:F1} ms");
        Console.WriteLine($"translate from empty state: cold {translateColdMs:F1} ms, warm median {full.MedianMs:F2} ms (min {full.MinMs:F2}), {full.AllocatedBytes / 1024.0 / 1024.0:F1} MiB allocated per call");
        Console.WriteLine($"translate same snapshot, previous state: median {same.MedianMs:F2} ms");
        Console.WriteLine($"translate one added route, previous state: median {change.MedianMs:F2} ms, {change.AllocatedBytes / 1024.0 / 1024.0:F1} MiB allocated per call");
        Console.WriteLine($"managed memory retained by snapshot + state + plan (x2 snapshots): {retainedBytes / 1024.0 / 1024.0:F1} MiB");
        Console.WriteLine(
            $"load_ms={loadWarmMs:F1} codec_ms={codecMs:F1} translate_cold_ms={translateColdMs:F1} translate_ms={full.MedianMs:F2} " +
            $"retranslate_ms={same.MedianMs:F2} change_ms={change.MedianMs:F2} " +
            $"alloc_mib={full.AllocatedBytes / 1024.0 / 1024.0:F1} retained_mib={retainedBytes / 1024.0 / 1024.0:F1}");
        return 0;
    }

    private static Measurement Measure(int iterations, Func<TranslationResult> translate)
    {
        // One untimed call so a path taken for the first time does not count its JIT.
        GC.KeepAlive(translate());
        var times = new double[iterations];
        long allocated = 0;
        for (var i = 0; i < iterations; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            GC.KeepAlive(translate());
            times[i] = watch.Elapsed.TotalMilliseconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Array.Sort(times);
        return new Measurement(times[iterations / 2], times[0], allocated);
    }

    /// <summary>The snapshot with one route added to its last virtual service (a copy of its first route, new prefix).</summary>
    private static ConfigSnapshot WithOneMoreRoute(ConfigSnapshot snapshot)
    {
        if (snapshot.VirtualServices.Count == 0 || snapshot.VirtualServices[^1].Routes.Count == 0)
        {
            return snapshot;
        }

        var last = snapshot.VirtualServices[^1];
        var template = last.Routes[0];
        var added = template with
        {
            RequestMatcher = (template.RequestMatcher ?? new RequestMatcher()) with { PathPrefix = "/sluice-bench-added/", PathExact = null, PathRegex = null },
        };
        var services = snapshot.VirtualServices.Take(snapshot.VirtualServices.Count - 1)
            .Append(last with { Routes = new ValueList<Route>(last.Routes.Append(added)) });
        return snapshot with { VirtualServices = new ValueList<VirtualService>(services) };
    }

    private static int DecodeAll(string configDir)
    {
        var count = 0;
        foreach (var (folder, kind) in new[] { ("upstreams", ConfigKind.Upstream), ("virtualservices", ConfigKind.VirtualService) })
        {
            var path = Path.Combine(configDir, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)))
            {
                count += ConfigCodec.ReadDocuments(File.ReadAllText(file), kind, file).Count;
            }
        }
        return count;
    }

    private static void ForceFullCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private readonly record struct Measurement(double MedianMs, double MinMs, long AllocatedBytes);
}
