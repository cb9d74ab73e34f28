using System.Collections.Frozen;

namespace Sluice.Gateway;

/// <summary>
/// Picks the certificate for a TLS handshake by SNI name, as <see cref="HostTable"/> picks a
/// virtual host: exact name, then the longest wildcard, then a <c>*</c> certificate.
/// </summary>
internal sealed class TlsTable
{
    public static readonly TlsTable Empty = new([]);

    private readonly FrozenDictionary<string, TlsContext> _exact;
    private readonly (string Suffix, TlsContext Context)[] _wildcards;
    private readonly TlsContext? _default;

    public TlsTable(IEnumerable<TlsContext> contexts)
    {
        var exact = new Dictionary<string, TlsContext>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<(string, TlsContext)>();
        foreach (var context in contexts)
        {
            foreach (var name in context.Plan.ServerNames)
            {
                if (name == "*")
                {
                    _default = context;
                }
                else if (name.StartsWith('*'))
                {
                    wildcards.Add((name[1..], context));
                }
                else
                {
                    exact[name] = context;
                }
            }
        }
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _wildcards = wildcards.OrderByDescending(w => w.Item1.Length).ToArray();
    }

    public TlsContext? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _default;
        }
        if (_exact.TryGetValue(serverName, out var exact))
        {
            return exact;
        }
        foreach (var (suffix, context) in _wildcards)
        {
            if (serverName.Length > suffix.Length && serverName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return context;
            }
        }
        return _default;
    }
}
