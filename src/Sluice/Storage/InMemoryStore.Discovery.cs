using System.Globalization;

namespace Sluice.Storage;

/// <summary>The in-memory store's half of <see cref="IDiscoveryStore"/>.</summary>
public sealed partial class InMemoryStore : IDiscoveryStore
{
    private readonly Dictionary<string, DiscoveryRecord> _discovered = new(StringComparer.Ordinal);
    private long _discoveryVersion;

    public Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_discovered.GetValueOrDefault(upstream));
        }
    }

    public Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var current = _discovered.GetValueOrDefault(upstream);
            if (record.Version != current?.Version)
            {
                throw new StoreConflictException(
                    $"discovery record of upstream '{upstream}': version {record.Version ?? "none"} is stale (current is {current?.Version ?? "none"})");
            }
            var stored = record with { Version = (++_discoveryVersion).ToString(CultureInfo.InvariantCulture) };
            _discovered[upstream] = stored;
            Publish();
            return Task.FromResult(stored);
        }
    }

    public Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_discovered.Remove(upstream))
            {
                Publish();
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Discovered records, and user files plus discovered artifacts (a user's file of the same ref wins).</summary>
    private (IReadOnlyDictionary<string, DiscoveryRecord> Records, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files) DiscoveredState()
    {
        if (_discovered.Count == 0)
        {
            return (new Dictionary<string, DiscoveryRecord>(), _files);
        }
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(_files, StringComparer.Ordinal);
        foreach (var (fileRef, bytes) in _discovered.Values.SelectMany(r => r.Files))
        {
            files.TryAdd(fileRef, bytes);
        }
        return (new Dictionary<string, DiscoveryRecord>(_discovered, StringComparer.Ordinal), files);
    }
}
