namespace Sluice.Gateway;

/// <summary>Picks the virtual host for a Host header (port ignored) by Gloo's domain rules.</summary>
internal sealed class HostTable(IEnumerable<VirtualHostState> hosts)
{
    private readonly DomainTable<VirtualHostState> _domains = new(
        hosts.SelectMany(host => host.Plan.Domains.Select(domain => (domain, host))));

    /// <summary>The host for a Host header value, or null when none serves it (no Host at all: the default).</summary>
    public VirtualHostState? Find(ReadOnlySpan<char> host) => _domains.Find(StripPort(host));

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
