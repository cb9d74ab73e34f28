using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>
/// Decides which virtual service serves each domain when several claim it: the one that held it
/// before keeps it; otherwise (a cold start, or a new domain) the lower name wins. A loser is
/// rejected naming the holder, and falls back to its last accepted version when that one
/// conflicts with nobody.
/// </summary>
internal static class DomainResolver
{
    public delegate Candidate? FallbackFactory(string name, TranslationState previous, ServedUpstreams served, ConfigSnapshot snapshot);

    public static IReadOnlyDictionary<string, string> Resolve(
        Dictionary<string, Candidate> candidates,
        TranslationState previous,
        ServedUpstreams served,
        ConfigSnapshot snapshot,
        FallbackFactory fallback,
        Dictionary<string, Diagnostics> diagnostics)
    {
        // Each round either settles or demotes a loser (current -> last accepted -> gone), so it ends.
        while (true)
        {
            var holders = Winners(candidates, previous);
            var losers = candidates
                .Where(c => c.Value.Host.Domains.Any(d => holders[d] != c.Key))
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .ToList();
            if (losers.Count == 0)
            {
                return holders;
            }
            foreach (var (name, loser) in losers)
            {
                if (loser.IsCurrent)
                {
                    foreach (var domain in loser.Host.Domains.Where(d => holders[d] != name))
                    {
                        diagnostics[name].Error("domains", $"domain '{domain}' is already served by virtual service '{holders[domain]}'");
                    }
                    var last = fallback(name, previous, served, snapshot);
                    if (last is not null)
                    {
                        candidates[name] = last;
                        continue;
                    }
                }
                candidates.Remove(name);
            }
        }
    }

    private static Dictionary<string, string> Winners(Dictionary<string, Candidate> candidates, TranslationState previous)
    {
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, candidate) in candidates.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            foreach (var domain in candidate.Host.Domains)
            {
                if (!holders.TryGetValue(domain, out var holder))
                {
                    holders[domain] = name;
                }
                else if (previous.DomainHolders.GetValueOrDefault(domain) == name && holder != name)
                {
                    // The earlier holder keeps its domain even against a lower name.
                    holders[domain] = name;
                }
            }
        }
        return holders;
    }
}
