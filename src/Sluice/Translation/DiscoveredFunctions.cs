using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>
/// Merges what discovery found into an upstream, the way the translator and <c>sluice get</c>
/// show it: the user's functions first and unchanged, then the discovered ones (each marked with
/// its origin); a user's function wins over a discovered one of the same name; the user's
/// <c>service_info</c> wins over a discovered one.
/// </summary>
public static class DiscoveredFunctions
{
    /// <param name="diagnostics">Receives a warning per shadowed function and per discovery problem; null to merge silently.</param>
    public static Upstream Merge(Upstream upstream, DiscoveryRecord? record, Diagnostics? diagnostics)
    {
        if (record is null)
        {
            return upstream;
        }
        var userNames = upstream.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var functions = new List<UpstreamFunction>(upstream.Functions.Count + record.Functions.Count);
        functions.AddRange(upstream.Functions);
        foreach (var function in record.Functions)
        {
            if (userNames.Contains(function.Name))
            {
                diagnostics?.Warning("functions",
                    $"discovered function '{function.Name}' (from {record.Source}) is shadowed by the user-written function of the same name");
                continue;
            }
            functions.Add(function);
        }
        foreach (var problem in record.Problems)
        {
            diagnostics?.Warning("discovery", problem);
        }
        return upstream with
        {
            Functions = new(functions),
            ServiceInfo = upstream.ServiceInfo ?? record.ServiceInfo,
        };
    }
}
