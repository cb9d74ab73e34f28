using Google.Protobuf;
using Mvccpb;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Etcd;

/// <summary>
/// Every key under the prefix at one revision, as a watch keeps it up to date, and the snapshot
/// built from it. A value is parsed once per mod revision, so a change of one object among
/// thousands parses one object. Not thread-safe: the watch serialises access.
/// </summary>
internal sealed class EtcdView(EtcdKeys keys)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The store revision this view is complete up to.</summary>
    public long Revision { get; private set; }

    /// <summary>Replaces everything with a fresh listing; true when configuration (not just statuses) changed.</summary>
    public bool Reset(IEnumerable<KeyValue> values, long revision)
    {
        var fresh = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            fresh[value.Key.ToStringUtf8()] = value;
        }
        var changed = false;
        foreach (var (key, entry) in _entries.ToList())
        {
            if (!fresh.ContainsKey(key))
            {
                changed |= IsConfig(entry.Key);
                _entries.Remove(key);
            }
        }
        foreach (var (key, value) in fresh)
        {
            changed |= Put(key, value);
        }
        Revision = revision;
        return changed;
    }

    /// <summary>Applies one watch event; true when it changed configuration (not just a status).</summary>
    public bool Apply(Event change)
    {
        var key = change.Kv.Key.ToStringUtf8();
        Revision = Math.Max(Revision, change.Kv.ModRevision);
        if (change.Type == Event.Types.EventType.Delete)
        {
            return _entries.Remove(key, out var removed) && IsConfig(removed.Key);
        }
        return Put(key, change.Kv);
    }

    /// <summary>A progress notification or an empty response: nothing changed up to <paramref name="revision"/>.</summary>
    public void Advance(long revision) => Revision = Math.Max(Revision, revision);

    public ConfigSnapshot Build()
    {
        var upstreams = new List<Upstream>();
        var services = new List<VirtualService>();
        var errors = new List<ConfigError>();
        var secrets = new Dictionary<string, ValueMap>(StringComparer.Ordinal);
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var discovered = new Dictionary<string, DiscoveryRecord>(StringComparer.Ordinal);
        foreach (var (text, entry) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            switch (entry.Key.Class)
            {
                case EtcdKeyClass.Object:
                    var parsed = entry.Parsed ??= ParseObject(entry.Key, text, entry.Value.Value);
                    if (parsed is ConfigError error)
                    {
                        errors.Add(error);
                        break;
                    }
                    var version = entry.Value.ModRevision;
                    var status = _entries.TryGetValue(keys.Status(entry.Key.Kind, entry.Key.Name), out var statusEntry)
                        ? EtcdStatusValue.Read(statusEntry.Value.Value, version)
                        : null;
                    switch (StoredObjects.WithState((IConfigObject)parsed, version, status))
                    {
                        case Upstream upstream:
                            upstreams.Add(upstream);
                            break;
                        case VirtualService service:
                            services.Add(service);
                            break;
                    }
                    break;
                case EtcdKeyClass.Secret:
                    var secret = entry.Parsed ??= ParseSecret(text, entry.Value.Value);
                    if (secret is ConfigError secretError)
                    {
                        errors.Add(secretError);
                    }
                    else
                    {
                        secrets[entry.Key.Name] = (ValueMap)secret;
                    }
                    break;
                case EtcdKeyClass.File:
                    files[entry.Key.Name] = entry.Value.Value.Memory;
                    break;
                case EtcdKeyClass.Discovered:
                    // A record and its files are written in one transaction, so they are here together.
                    if ((entry.Parsed ??= ParseDiscovered(text, entry.Value) ?? NotARecord) is DiscoveryRecord record)
                    {
                        discovered[entry.Key.Name] = record;
                    }
                    break;
            }
        }
        foreach (var (fileRef, bytes) in discovered.Values.SelectMany(r => r.Files))
        {
            // A user's file of the same ref wins, as in the file store.
            files.TryAdd(fileRef, bytes);
        }
        return new ConfigSnapshot
        {
            Upstreams = new(upstreams),
            VirtualServices = new(services),
            LoadErrors = new(errors),
            Secrets = secrets,
            Files = files,
            Discovered = discovered,
        };
    }

    /// <summary>Stands for "read once, not a record" in <see cref="Entry.Parsed"/>.</summary>
    private static readonly object NotARecord = new();

    /// <summary>
    /// The discovery record under a key, its version the key's mod revision; null when damaged
    /// (treated as nothing found: the leader's next pass writes it again).
    /// </summary>
    private DiscoveryRecord? ParseDiscovered(string source, KeyValue value)
    {
        var record = DiscoveryRecordCodec.Read(value.Value.Span, source,
            fileRef => _entries.TryGetValue(keys.DiscoveredFile(fileRef), out var file) ? file.Value.Value.Memory : null);
        return record is null ? null : record with { Version = value.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    private bool Put(string key, KeyValue value)
    {
        if (_entries.TryGetValue(key, out var existing) && existing.Value.ModRevision == value.ModRevision)
        {
            return false;
        }
        var parsed = keys.Parse(key);
        _entries[key] = new Entry(parsed, value);
        return IsConfig(parsed);
    }

    /// <summary>Keys whose change changes what a gateway serves (statuses and the leader key do not).</summary>
    private static bool IsConfig(EtcdKey key) =>
        key.Class is EtcdKeyClass.Object or EtcdKeyClass.Secret or EtcdKeyClass.File or EtcdKeyClass.Discovered or EtcdKeyClass.DiscoveredFile;

    /// <summary>The object a key holds, or the error that names the key and the object.</summary>
    internal static object ParseObject(EtcdKey key, string source, ByteString value)
    {
        IReadOnlyList<DecodedDocument> documents;
        try
        {
            documents = ConfigCodec.ReadDocuments(value.ToStringUtf8(), key.Kind, source);
        }
        catch (ConfigException e)
        {
            return e.Error with { Source = source, Kind = key.Kind, ObjectName = key.Name };
        }
        if (documents is [{ Object: { } obj, Error: null }])
        {
            return obj.Name == key.Name
                ? obj
                : new ConfigError($"the value defines {key.Kind.DisplayName()} '{obj.Name}', but its key names '{key.Name}'")
                {
                    Source = source,
                    Kind = key.Kind,
                    ObjectName = key.Name,
                };
        }
        var error = documents.FirstOrDefault(d => d.Error is not null)?.Error
            ?? new ConfigError(documents.Count == 0 ? "the value holds no object" : "the value holds more than one object");
        return error with { Source = source, Kind = key.Kind, ObjectName = key.Name };
    }

    private static object ParseSecret(string source, ByteString value)
    {
        try
        {
            return ConfigCodec.ReadSecret(value.ToStringUtf8(), source);
        }
        catch (ConfigException e)
        {
            return e.Error with { Source = e.Error.Source ?? source };
        }
    }

    private sealed class Entry(EtcdKey key, KeyValue value)
    {
        public EtcdKey Key { get; } = key;

        public KeyValue Value { get; } = value;

        /// <summary>The parsed value (object, secret or <see cref="ConfigError"/>), once somebody asked.</summary>
        public object? Parsed { get; set; }
    }
}
