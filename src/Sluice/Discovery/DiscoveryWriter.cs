using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Discovery;

/// <summary>
/// Writes a source's result into the store with its optimistic concurrency: read the current
/// record, build the new one (keeping each unchanged function's first-seen time, so an unchanged
/// source writes nothing and wakes nobody), write with the version read, and on a conflict
/// (another writer got there first) start again from the read.
/// </summary>
internal sealed class DiscoveryWriter(IDiscoveryStore store, TimeProvider time)
{
    private const int MaxAttempts = 5;

    /// <summary>Returns true when the store changed.</summary>
    public async Task<bool> WriteAsync(string upstream, SourceResult result, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.ReadDiscoveryAsync(upstream, cancellationToken).ConfigureAwait(false);
            var next = Build(result, current);
            if (current is not null && next.SameContent(current))
            {
                return false;
            }
            try
            {
                await store.WriteDiscoveryAsync(upstream, next with { Version = current?.Version }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (StoreConflictException) when (attempt < MaxAttempts)
            {
                // Someone else wrote meanwhile: read again and rebuild on top of what they wrote.
            }
        }
    }

    /// <summary>
    /// A failing source keeps the functions found before (a flaky backend must not make routes
    /// 404) and records why; a source that answered replaces them, so removed functions go.
    /// </summary>
    private DiscoveryRecord Build(SourceResult result, DiscoveryRecord? current)
    {
        if (result.Outcome != SourceOutcome.Found && current is not null)
        {
            return current with { Problems = new(result.Problems) };
        }
        var now = time.GetUtcNow();
        var previous = current?.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal) ?? [];
        var functions = result.Functions.Select(function =>
        {
            var kept = previous.GetValueOrDefault(function.Name);
            var unchanged = kept?.Discovered is { } origin && origin.Source == result.Source && kept.Spec.Equals(function.Spec);
            return function with { Discovered = unchanged ? kept!.Discovered : new DiscoveryOrigin { Source = result.Source, DiscoveredAt = Truncate(now) } };
        });
        var serviceInfo = result.ServiceInfo is null ? null
            : result.ServiceInfo with
            {
                Discovered = current?.ServiceInfo is { } old && old with { Discovered = null } == result.ServiceInfo
                    ? old.Discovered
                    : new DiscoveryOrigin { Source = result.Source, DiscoveredAt = Truncate(now) },
            };
        return new DiscoveryRecord
        {
            Source = result.Source,
            ServiceInfo = serviceInfo,
            Functions = new(functions),
            Problems = new(result.Problems),
            Files = result.Files,
        };
    }

    /// <summary>Whole seconds: what the record shows, so a re-read record compares equal.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
