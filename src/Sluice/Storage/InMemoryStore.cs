using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// A store that lives in memory: for embedding Sluice with configuration built in code, and for
/// tests. Same contract as the file store: real resource versions, statuses kept aside.
/// </summary>
public sealed partial class InMemoryStore : IConfigStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ConfigKind, string), IConfigObject> _objects = [];
    private readonly Dictionary<(ConfigKind, string), Status> _statuses = [];
    private readonly List<Channel<ConfigSnapshot>> _watchers = [];
    private IReadOnlyDictionary<string, ValueMap> _secrets = new Dictionary<string, ValueMap>();
    private IReadOnlyDictionary<string, ReadOnlyMemory<byte>> _files = new Dictionary<string, ReadOnlyMemory<byte>>();
    private long _version;

    public Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Snapshot());
        }
    }

    public async IAsyncEnumerable<ConfigSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ConfigSnapshot>();
        lock (_lock)
        {
            _watchers.Add(channel);
            channel.Writer.TryWrite(Snapshot());
        }
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Coalesce: only the newest snapshot matters.
                ConfigSnapshot? latest = null;
                while (channel.Reader.TryRead(out var snapshot))
                {
                    latest = snapshot;
                }
                yield return latest!;
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public Task<IConfigObject> CreateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_objects.ContainsKey((obj.Kind, obj.Name)))
            {
                throw new StoreConflictException($"{obj.Kind.DisplayName()} '{obj.Name}' already exists");
            }
            return Task.FromResult(Put(obj));
        }
    }

    public Task<IConfigObject> UpdateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((obj.Kind, obj.Name), out var current))
            {
                throw new StoreNotFoundException($"{obj.Kind.DisplayName()} '{obj.Name}' does not exist");
            }
            var expected = obj.Metadata.ResourceVersion;
            if (!string.IsNullOrEmpty(expected) && expected != current.Metadata.ResourceVersion)
            {
                throw new StoreConflictException($"{obj.Kind.DisplayName()} '{obj.Name}': resource version {expected} is stale (current is {current.Metadata.ResourceVersion})");
            }
            return Task.FromResult(Put(obj));
        }
    }

    /// <summary>Creates or replaces, unconditionally: the shortest way for tests to change config.</summary>
    public void Set(params IConfigObject[] objects)
    {
        lock (_lock)
        {
            foreach (var obj in objects)
            {
                Put(obj, publish: false);
            }
            Publish();
        }
    }

    public void SetSecrets(IReadOnlyDictionary<string, ValueMap> secrets)
    {
        lock (_lock)
        {
            _secrets = secrets;
            Publish();
        }
    }

    public void SetFiles(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files)
    {
        lock (_lock)
        {
            _files = files;
            Publish();
        }
    }

    public Task DeleteAsync(ConfigKind kind, string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_objects.Remove((kind, name)))
            {
                throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
            }
            _statuses.Remove((kind, name));
            Publish();
        }
        return Task.CompletedTask;
    }

    public Task WriteStatusAsync(ConfigKind kind, string name, string? resourceVersion, Status status, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((kind, name), out var current))
            {
                throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
            }
            if (resourceVersion is not null && resourceVersion != current.Metadata.ResourceVersion)
            {
                throw new StoreConflictException(
                    $"{kind.DisplayName()} '{name}': the status judged resource version {resourceVersion}, but the current one is {current.Metadata.ResourceVersion}");
            }
            // Status is not configuration: no watcher hears about it.
            _statuses[(kind, name)] = status;
        }
        return Task.CompletedTask;
    }

    public Status? GetStatus(ConfigKind kind, string name)
    {
        lock (_lock)
        {
            return _statuses.GetValueOrDefault((kind, name));
        }
    }

    private IConfigObject Put(IConfigObject obj, bool publish = true)
    {
        var version = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        IConfigObject stored = obj switch
        {
            Upstream u => u with { Status = null, Metadata = u.Metadata with { ResourceVersion = version } },
            VirtualService v => v with { Status = null, Metadata = v.Metadata with { ResourceVersion = version } },
            _ => throw new ArgumentException($"Unknown object type {obj.GetType()}", nameof(obj)),
        };
        _objects[(obj.Kind, obj.Name)] = stored;
        // The old verdict judged other content.
        _statuses.Remove((obj.Kind, obj.Name));
        if (publish)
        {
            Publish();
        }
        return stored;
    }

    private void Publish()
    {
        var snapshot = Snapshot();
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(snapshot);
        }
    }

    private ConfigSnapshot Snapshot()
    {
        Status StatusOf(IConfigObject o) => _statuses.GetValueOrDefault((o.Kind, o.Name)) ?? Status.Pending;
        var (discovered, files) = DiscoveredState();
        return new ConfigSnapshot
        {
            Upstreams = new(_objects.Values.OfType<Upstream>().OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => u with { Status = StatusOf(u) })),
            VirtualServices = new(_objects.Values.OfType<VirtualService>().OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => v with { Status = StatusOf(v) })),
            Secrets = _secrets,
            Files = files,
            Discovered = discovered,
        };
    }
}
