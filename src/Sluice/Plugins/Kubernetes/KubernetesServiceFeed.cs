using Sluice.Plan;

namespace Sluice.Plugins.Kubernetes;

/// <summary>
/// The endpoints of one port of a Kubernetes Service: the ready addresses of its EndpointSlices,
/// on the port its <c>targetPort</c> names. <see cref="Port"/> is the Service's port number
/// (null: the Service's only port).
/// </summary>
public sealed record KubernetesServiceFeed(string Namespace, string Service, int? Port) : IEndpointFeedSpec
{
    public string Describe() => Port is { } port
        ? $"Kubernetes service {Namespace}/{Service} port {port}"
        : $"Kubernetes service {Namespace}/{Service}";
}
