namespace Sluice.Translation;

/// <summary>
/// The plugins a translator runs, indexed by capability. Order matters for function plugins
/// (the first to claim a spec wins) and route plugins (later ones see what earlier ones set, and
/// their filters keep that order within a stage); upstream plugins are chosen by type. The
/// product's list lives in the composition root (<c>Sluice.Hosting.SluicePlugins</c>).
/// </summary>
public sealed class PluginRegistry
{
    public PluginRegistry(IReadOnlyList<ITranslatorPlugin> plugins)
    {
        Plugins = plugins;
        var byType = new Dictionary<string, IUpstreamPlugin>(StringComparer.Ordinal);
        foreach (var plugin in plugins.OfType<IUpstreamPlugin>())
        {
            foreach (var type in plugin.UpstreamTypes)
            {
                if (!byType.TryAdd(type, plugin))
                {
                    throw new ArgumentException($"Upstream type '{type}' is claimed by both '{byType[type].Name}' and '{plugin.Name}'.");
                }
            }
        }
        UpstreamPlugins = byType;
        FunctionPlugins = plugins.OfType<IFunctionPlugin>().ToArray();
        RoutePlugins = plugins.OfType<IRoutePlugin>().ToArray();
        ServicePlugins = plugins.OfType<IServicePlugin>().ToArray();
        ExtensionKeys = RoutePlugins.SelectMany(p => p.ExtensionKeys).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<ITranslatorPlugin> Plugins { get; }

    public IReadOnlyDictionary<string, IUpstreamPlugin> UpstreamPlugins { get; }

    public IReadOnlyList<IFunctionPlugin> FunctionPlugins { get; }

    public IReadOnlyList<IRoutePlugin> RoutePlugins { get; }

    public IReadOnlyList<IServicePlugin> ServicePlugins { get; }

    /// <summary>Every <c>extensions</c> key some route plugin reads.</summary>
    public IReadOnlySet<string> ExtensionKeys { get; }
}
