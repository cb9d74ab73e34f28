using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Serves upstreams by what runs on them (<c>service_info.type</c>, e.g. <c>nats</c>), whatever
/// their address type: it receives the cluster the upstream plugin built and returns it with its
/// own settings (typically an upstream-level <see cref="ClusterPlan.Invoker"/>).
/// </summary>
public interface IServicePlugin : ITranslatorPlugin
{
    /// <summary><c>service_info.type</c> values this plugin owns.</summary>
    IReadOnlyList<string> ServiceTypes { get; }

    /// <summary>Returns the cluster to serve, or null with errors recorded in <paramref name="diagnostics"/>.</summary>
    ClusterPlan? ApplyServiceInfo(Upstream upstream, ClusterPlan cluster, TranslationContext context, Diagnostics diagnostics);
}
