using System.Collections;

namespace Sluice.Api;

/// <summary>
/// An immutable string map that keeps its insertion order (a user's YAML order is shown back
/// as written) and compares by content.
/// </summary>
public sealed class ValueMap : IReadOnlyDictionary<string, string>, IEquatable<ValueMap>
{
    public static readonly ValueMap Empty = new([]);

    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly Dictionary<string, string> _lookup;

    public ValueMap(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        _pairs = pairs.ToArray();
        _lookup = new Dictionary<string, string>(_pairs.Length, StringComparer.Ordinal);
        foreach (var (key, value) in _pairs)
        {
            _lookup[key] = value;
        }
    }

    public int Count => _pairs.Length;

    public string this[string key] => _lookup[key];

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<string> Values => _pairs.Select(p => p.Value);

    public bool ContainsKey(string key) => _lookup.ContainsKey(key);

    public bool TryGetValue(string key, out string value) => _lookup.TryGetValue(key, out value!);

    public bool Equals(ValueMap? other) =>
        other is not null && _pairs.AsSpan().SequenceEqual(other._pairs);

    public override bool Equals(object? obj) => Equals(obj as ValueMap);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var pair in _pairs)
        {
            hash.Add(pair.Key);
            hash.Add(pair.Value);
        }
        return hash.ToHashCode();
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _pairs.GetEnumerator();
}
