using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>
/// What a plugin may read while translating one object: the snapshot's secrets and files. It
/// remembers what was read, so the translator can keep the contents a version was accepted with.
/// </summary>
public sealed class TranslationContext
{
    private readonly ConfigSnapshot _snapshot;
    private readonly ObjectInputs? _lastGood;
    private readonly Dictionary<string, ValueMap> _secretsRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _filesRead = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keptRefs = new(StringComparer.Ordinal);
    private readonly List<string> _unreadable = [];

    public TranslationContext(ConfigSnapshot snapshot)
        : this(snapshot, lastGood: null)
    {
    }

    /// <param name="lastGood">
    /// When set, a secret or file that still exists is read as it was when the version being
    /// translated was accepted (the current contents were refused). One that is gone stays gone:
    /// like a deleted upstream, nothing stands in for it.
    /// </param>
    internal TranslationContext(ConfigSnapshot snapshot, ObjectInputs? lastGood)
    {
        _snapshot = snapshot;
        _lastGood = lastGood;
    }

    /// <summary>The secrets and files read so far, with the contents used.</summary>
    internal ObjectInputs Inputs => new(new Dictionary<string, ValueMap>(_secretsRead), new Dictionary<string, ReadOnlyMemory<byte>>(_filesRead));

    /// <summary>Refs read with their last accepted contents, because the current ones differ.</summary>
    internal IReadOnlyCollection<string> KeptRefs => _keptRefs;

    /// <summary>Why each secret asked for but present only in an unreadable form could not be read.</summary>
    internal IReadOnlyList<string> UnreadableSecrets => _unreadable;

    public bool TryGetSecret(string reference, out ValueMap secret)
    {
        var current = _snapshot.Secrets.GetValueOrDefault(reference);
        var exists = current is not null || _snapshot.SecretErrors.ContainsKey(reference);
        if (exists && _lastGood is not null && _lastGood.Secrets.TryGetValue(reference, out var kept))
        {
            if (!kept.Equals(current))
            {
                _keptRefs.Add(reference);
            }
            current = kept;
        }
        if (current is null)
        {
            if (_snapshot.SecretErrors.TryGetValue(reference, out var error))
            {
                _unreadable.Add($"secret '{reference}' could not be read: {error}");
            }
            secret = null!;
            return false;
        }
        _secretsRead[reference] = current;
        secret = current;
        return true;
    }

    public bool TryGetFile(string reference, out ReadOnlyMemory<byte> file)
    {
        if (!_snapshot.Files.TryGetValue(reference, out file))
        {
            return false;
        }
        if (_lastGood is not null && _lastGood.Files.TryGetValue(reference, out var kept))
        {
            if (!kept.Span.SequenceEqual(file.Span))
            {
                _keptRefs.Add(reference);
            }
            file = kept;
        }
        _filesRead[reference] = file;
        return true;
    }
}
