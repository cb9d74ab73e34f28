using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>Builds the cluster of every upstream whose <c>type</c> it owns.</summary>
public interface IUpstreamPlugin : ITranslatorPlugin
{
    /// <summary>Upstream types this plugin owns, e.g. <c>static</c> and its alias <c>service</c>.</summary>
    IReadOnlyList<string> UpstreamTypes { get; }

    /// <summary>
    /// Reads the upstream's <c>spec</c> and returns its cluster, or null with errors recorded in
    /// <paramref name="diagnostics"/>.
    /// </summary>
    ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics);
}
