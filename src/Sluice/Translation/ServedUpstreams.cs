using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// The clusters this translation serves, and why the others are unavailable, so a route to a
/// missing or rejected upstream can say which it is.
/// </summary>
internal sealed class ServedUpstreams
{
    public Dictionary<string, ClusterPlan> Clusters { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Unavailable { get; } = new(StringComparer.Ordinal);

    public string WhyUnavailable(string name) =>
        Unavailable.TryGetValue(name, out var reason) ? $"upstream '{name}' is rejected: {reason}" : $"upstream '{name}' was not found";
}
