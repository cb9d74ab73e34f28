using System.Collections.Frozen;

namespace Sluice.Gateway;

/// <summary>
/// Gloo's (and Envoy's) domain lookup, for virtual hosts by Host and certificates by SNI: the exact
/// name, then the longest matching wildcard suffix (<c>*-bar.foo.com</c> beats <c>*.foo.com</c>),
/// then <c>*</c>. Case-insensitive; lookups take a span and allocate nothing.
/// </summary>
internal sealed class DomainTable<T>
    where T : class
{
    private readonly FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly (string Suffix, T Value)[] _wildcards;
    private readonly T? _default;

    /// <summary>Entries are lower-case domains as the translator normalized them; later ones win.</summary>
    public DomainTable(IEnumerable<(string Domain, T Value)> entries)
    {
        var exact = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<(string, T)>();
        foreach (var (domain, value) in entries)
        {
            if (domain == "*")
            {
                _default = value;
            }
            else if (domain.StartsWith('*'))
            {
                wildcards.Add((domain[1..], value));
            }
            else
            {
                exact[domain] = value;
            }
        }
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcards = wildcards.OrderByDescending(w => w.Item1.Length).ToArray();
    }

    public T? Find(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return _default;
        }
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }
        foreach (var (suffix, value) in _wildcards)
        {
            // A wildcard stands for at least one character.
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return _default;
    }
}
