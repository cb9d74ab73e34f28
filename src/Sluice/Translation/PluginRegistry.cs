using Sluice.Plugins.Answers;
using Sluice.Plugins.Aws;
using Sluice.Plugins.Azure;
using Sluice.Plugins.Cors;
using Sluice.Plugins.Events;
using Sluice.Plugins.Faas;
using Sluice.Plugins.Google;
using Sluice.Plugins.Kubernetes;
using Sluice.Plugins.Nats;
using Sluice.Plugins.Rest;
using Sluice.Plugins.Routing;
using Sluice.Plugins.Static;

namespace Sluice.Translation;

/// <summary>
/// The plugins a translator runs, in the one place their order is fixed. Order matters for
/// function plugins (the first to claim a spec wins) and route plugins (later ones see what
/// earlier ones set); upstream plugins are chosen by type.
/// </summary>
public sealed class PluginRegistry
{
    public static PluginRegistry Default { get; } = new(
    [
        new StaticUpstreamPlugin(),
        new KubernetesUpstreamPlugin(),
        new RoutingExtensionsPlugin(),
        new CorsPlugin(),
        new LocalAnswersPlugin(),
        // Function plugins are asked in this order and the first to claim a spec wins: the ones
        // tied to an upstream or service type come before REST, which also claims by spec shape.
        new AwsPlugin(),
        new AzureUpstreamPlugin(),
        new GoogleUpstreamPlugin(),
        new FaasFunctionPlugin(),
        new RestFunctionPlugin(),
        new RestRoutePlugin(),
        new NatsServicePlugin(),
        new CloudEventDeliveryPlugin(),
    ]);

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
