namespace Sluice.Translation;

/// <summary>Defaults Gloo applied to every cluster (translator/defaults).</summary>
public static class ClusterDefaults
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
}
