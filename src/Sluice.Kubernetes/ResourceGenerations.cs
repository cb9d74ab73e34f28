using Sluice.Api;

namespace Sluice.Kubernetes;

/// <summary>
/// Which spec generation each resourceVersion of an object carried, for the last few versions
/// the store delivered: a verdict names the version it judged, and status writes (which move
/// the version but not the generation) may have come since. Thread-safe; bounded per object.
/// </summary>
internal sealed class ResourceGenerations
{
    private const int PerObject = 8;
    private readonly Lock _lock = new();
    private readonly Dictionary<(ConfigKind, string), List<(string Version, long Generation)>> _seen = [];

    public void Saw(ConfigKind kind, string name, string version, long generation)
    {
        lock (_lock)
        {
            if (!_seen.TryGetValue((kind, name), out var versions))
            {
                _seen[(kind, name)] = versions = [];
            }
            if (versions.Any(v => v.Version == version))
            {
                return;
            }
            versions.Add((version, generation));
            if (versions.Count > PerObject)
            {
                versions.RemoveAt(0);
            }
        }
    }

    /// <summary>The generation behind <paramref name="version"/>; null when the store never delivered it (or forgot it).</summary>
    public long? Judged(ConfigKind kind, string name, string version)
    {
        lock (_lock)
        {
            return _seen.TryGetValue((kind, name), out var versions) && versions.FirstOrDefault(v => v.Version == version) is { Version: not null } found
                ? found.Generation
                : null;
        }
    }
}
