using Sluice.Plugins.Answers;
using Sluice.Plugins.Aws;
using Sluice.Plugins.Azure;
using Sluice.Plugins.Consul;
using Sluice.Plugins.Cors;
using Sluice.Plugins.Events;
using Sluice.Plugins.Faas;
using Sluice.Plugins.Google;
using Sluice.Plugins.Grpc;
using Sluice.Plugins.Kubernetes;
using Sluice.Plugins.Nats;
using Sluice.Plugins.Rest;
using Sluice.Plugins.Routing;
using Sluice.Plugins.Static;
using Sluice.Translation;

namespace Sluice.Hosting;

/// <summary>
/// The composition root's plugin list: the only place that names every plugin, and where their
/// order is fixed (see <see cref="PluginRegistry"/> for why order matters). Adding a plugin is
/// one line here.
/// </summary>
public static class SluicePlugins
{
    public static PluginRegistry Default { get; } = new(
    [
        new StaticUpstreamPlugin(),
        new KubernetesUpstreamPlugin(),
        new ConsulUpstreamPlugin(),
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
        new GrpcPlugin(),
        new CloudEventDeliveryPlugin(),
    ]);
}
