using System.Collections.Frozen;

namespace Sluice.Gateway;

/// <summary>
/// Picks the virtual host for a Host header: exact name, then the longest matching wildcard
/// suffix, then <c>*</c>. Lookups take the host as a span and allocate nothing.
/// </summary>
internal sealed class HostTable
{
    private readonly FrozenDictionary<string, VirtualHostState> _exact;
    private readonly FrozenDictionary<string, VirtualHostState>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly (string Suffix, VirtualHostState Host)[] _wildcards;
    private readonly VirtualHostState? _default;

    public HostTable(IEnumerable<VirtualHostState> hosts)
    {
        var exact = new Dictionary<string, VirtualHostState>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<(string, VirtualHostState)>();
        foreach (var host in hosts)
        {
            foreach (var domain in host.Plan.Domains)
            {
                if (domain == "*")
                {
                    _default = host;
                }
                else if (domain.StartsWith('*'))
                {
                    wildcards.Add((domain[1..], host));
                }
                else
                {
                    exact[domain] = host;
                }
            }
        }
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        // Longest suffix first: "*-bar.foo.com" beats "*.foo.com".
        _wildcards = wildcards.OrderByDescending(w => w.Item1.Length).ToArray();
    }

    /// <summary>The host for a Host header value (port ignored), or null when none serves it.</summary>
    public VirtualHostState? Find(ReadOnlySpan<char> host)
    {
        host = StripPort(host);
        if (_exactLookup.TryGetValue(host, out var exact))
        {
            return exact;
        }
        foreach (var (suffix, candidate) in _wildcards)
        {
            // A wildcard stands for at least one character.
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }
        return _default;
    }

    private static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> host)
    {
        if (host.Length > 0 && host[0] == '[')
        {
            var end = host.IndexOf(']');
            return end > 0 ? host[..(end + 1)] : host;
        }
        var colon = host.LastIndexOf(':');
        host = colon >= 0 ? host[..colon] : host;
        // "example.com." names the same host as "example.com".
        return host.Length > 1 && host[^1] == '.' ? host[..^1] : host;
    }
}
