using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// Turns the files of a config folder plus the records kept in <c>.sluice/</c> into a snapshot.
/// Pure: it decides which records change but writes nothing, so the caller applies the changes
/// under the lock (or, on a read-only folder, does not).
/// </summary>
/// <remarks>
/// Isolation rules: a file that fails to parse costs only its own objects, and those are named
/// (from the records' <c>source</c>) so the translator can keep their last accepted version; a
/// name defined twice keeps its first definition in path order, then document order.
/// </remarks>
internal static class FolderReader
{
    public static FolderState Read(IReadOnlyList<SourceFile> files, IReadOnlyDictionary<ObjectKey, ObjectRecord> records, ParsedFileCache parsed)
    {
        var errors = new List<ConfigError>();
        var definitions = new Dictionary<ObjectKey, ObjectDefinition>();
        var objects = new List<(ObjectDefinition Definition, IConfigObject Object, ParsedFile File, int Document)>();
        // File → its first file-level error: the file did not parse as a whole.
        var brokenFiles = new Dictionary<string, ConfigError>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, ValueMap>(StringComparer.Ordinal);
        var secretErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        var artifacts = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);

        var skipped = new List<ConfigError>();
        foreach (var file in files)
        {
            if (file.Skipped is not null)
            {
                skipped.Add(new ConfigError(file.Skipped) { Source = file.RelativePath });
                continue;
            }
            ConfigKind? kind = file.Section switch
            {
                ConfigFolder.Upstreams => ConfigKind.Upstream,
                ConfigFolder.VirtualServices => ConfigKind.VirtualService,
                _ => null,
            };
            if (file.Error is not null)
            {
                var error = new ConfigError(file.Error) { Source = file.RelativePath, Kind = kind };
                errors.Add(error);
                brokenFiles.TryAdd(file.RelativePath, error);
                if (file.Section == ConfigFolder.Secrets)
                {
                    secretErrors[file.Name] = error.ToString();
                }
                continue;
            }
            switch (file.Section)
            {
                case ConfigFolder.Secrets:
                    try
                    {
                        secrets[file.Name] = ConfigCodec.ReadSecret(SourceText.Decode(file.Bytes), file.RelativePath);
                    }
                    catch (ConfigException exception)
                    {
                        var error = exception.Error with { Source = exception.Error.Source ?? file.RelativePath };
                        errors.Add(error);
                        secretErrors[file.Name] = error.ToString();
                    }
                    break;
                case ConfigFolder.Files:
                    artifacts[file.Name] = file.Bytes;
                    break;
                default:
                    ReadObjects(file, parsed.Get(file, kind!.Value), errors, definitions, objects, brokenFiles);
                    break;
            }
        }

        var reconciled = new Dictionary<ObjectKey, ObjectRecord>(records);
        var changes = new List<KeyValuePair<ObjectKey, ObjectRecord?>>();
        var upstreams = new List<Upstream>();
        var services = new List<VirtualService>();
        var sources = new Dictionary<(ConfigKind, string), ObjectSource>();
        foreach (var (definition, obj, file, document) in objects)
        {
            sources[(definition.Key.Kind, definition.Key.Name)] = new ObjectSource(definition.File.RelativePath, definition.Document.StartLine, definition.Text);
            var key = definition.Key;
            var hash = file.ContentHash(document, obj);
            records.TryGetValue(key, out var old);
            var record = Next(old, hash, definition.File.RelativePath);
            if (!ReferenceEquals(record, old))
            {
                changes.Add(new(key, record));
                reconciled[key] = record;
            }
            switch (StoredObjects.WithState(obj, record.ResourceVersion, record.Status))
            {
                case Upstream upstream:
                    upstreams.Add(upstream);
                    break;
                case VirtualService service:
                    services.Add(service);
                    break;
            }
        }

        var unreadable = new Dictionary<ObjectKey, string>();
        foreach (var (key, record) in records.OrderBy(r => r.Key.Kind).ThenBy(r => r.Key.Name, StringComparer.Ordinal))
        {
            if (definitions.ContainsKey(key))
            {
                continue;
            }
            if (record.Source is { } source && brokenFiles.TryGetValue(source, out var fileError))
            {
                // Still there as far as anyone can tell: keep its record, and name it so the
                // translator rejects exactly this object and keeps its last accepted version.
                unreadable[key] = source;
                errors.Add(new ConfigError($"could not be read: its file no longer parses ({fileError.Message})")
                {
                    Source = source,
                    Line = fileError.Line,
                    Column = fileError.Column,
                    Kind = key.Kind,
                    ObjectName = key.Name,
                });
                continue;
            }
            changes.Add(new(key, null));
            reconciled.Remove(key);
        }

        return new FolderState
        {
            Snapshot = new ConfigSnapshot
            {
                Upstreams = new(upstreams.OrderBy(u => u.Name, StringComparer.Ordinal)),
                VirtualServices = new(services.OrderBy(s => s.Name, StringComparer.Ordinal)),
                LoadErrors = new(errors),
                Warnings = new(skipped),
                Sources = sources,
                Secrets = secrets,
                SecretErrors = secretErrors,
                Files = artifacts,
            },
            Fingerprint = ConfigFolder.Fingerprint(files),
            Definitions = definitions,
            Unreadable = unreadable,
            Records = reconciled,
            RecordChanges = changes,
        };
    }

    /// <summary>
    /// The record for content with <paramref name="hash"/>: the same one when nothing changed, a
    /// bumped version (and a status back to pending, since the old verdict judged other content)
    /// when the content did.
    /// </summary>
    public static ObjectRecord Next(ObjectRecord? old, string hash, string source) => old switch
    {
        null => new ObjectRecord(1, hash, source, null),
        _ when old.Hash != hash => new ObjectRecord(old.ResourceVersion + 1, hash, source, null),
        _ when old.Source != source => old with { Source = source },
        _ => old,
    };

    private static void ReadObjects(
        SourceFile file,
        ParsedFile parsed,
        List<ConfigError> errors,
        Dictionary<ObjectKey, ObjectDefinition> definitions,
        List<(ObjectDefinition, IConfigObject, ParsedFile, int)> objects,
        Dictionary<string, ConfigError> brokenFiles)
    {
        var kind = parsed.Kind;
        var text = parsed.Text;
        var documents = parsed.Documents;
        for (var index = 0; index < documents.Count; index++)
        {
            var document = documents[index];
            var name = document.Name ?? document.Object?.Name;
            if (string.IsNullOrEmpty(name))
            {
                if (document.Error is { } fileError)
                {
                    var error = fileError with { Source = fileError.Source ?? file.RelativePath, Kind = fileError.Kind ?? kind };
                    errors.Add(error);
                    brokenFiles.TryAdd(file.RelativePath, error);
                }
                continue;
            }
            var key = new ObjectKey(kind, name);
            if (definitions.TryGetValue(key, out var first))
            {
                // Not named as the object's error: that would reject the first definition too.
                errors.Add(new ConfigError(
                    $"{kind.DisplayName()} '{name}' is already defined in {first.File.RelativePath}:{first.Document.StartLine}")
                {
                    Source = file.RelativePath,
                    Line = document.StartLine,
                    Kind = kind,
                });
                continue;
            }
            var definition = new ObjectDefinition(key, file, text, document, documents.Count);
            definitions[key] = definition;
            if (document.Error is { } objectError)
            {
                errors.Add(objectError with { Source = objectError.Source ?? file.RelativePath, Kind = kind, ObjectName = name });
            }
            else if (document.Object is { } obj)
            {
                objects.Add((definition, obj, parsed, index));
            }
        }
    }
}
