using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Kubernetes;

/// <summary>
/// <c>type: kubernetes</c>: a service port whose endpoints come from Kubernetes. The spec is read
/// and validated here; the plan names a <see cref="KubernetesServiceFeed"/>, and the gateway's
/// EndpointSlice watch fills in the endpoints at run time (an endpoint-only update, no new
/// translation). Until the first delivery the cluster is empty and its routes answer 503.
/// </summary>
internal sealed class KubernetesUpstreamPlugin : IUpstreamPlugin
{
    public string Name => "kubernetes";

    public IReadOnlyList<string> UpstreamTypes { get; } = ["kubernetes"];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var serviceName = spec.String("service_name");
        var serviceNamespace = spec.String("service_namespace");
        var servicePort = spec.Integer("service_port", 1, 65535);
        var labels = spec.StringMap("labels");
        spec.WarnUnknownKeys();

        if (string.IsNullOrWhiteSpace(serviceName))
        {
            diagnostics.Error("spec.service_name", "is required");
        }
        if (string.IsNullOrWhiteSpace(serviceNamespace))
        {
            diagnostics.Error("spec.service_namespace", "is required");
        }
        if (diagnostics.HasErrors)
        {
            return null;
        }

        if (labels is { Count: > 0 })
        {
            // EndpointSlices do not carry pod labels; a subset would need a watch on every pod.
            diagnostics.Warning("spec.labels: pod label subsets are not applied; every ready endpoint of the service is used");
        }
        return new ClusterPlan
        {
            Name = upstream.Name,
            Endpoints = ValueList<EndpointPlan>.Empty,
            EndpointFeed = new KubernetesServiceFeed(serviceNamespace!, serviceName!, (int?)servicePort),
            ConnectTimeout = upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout,
        };
    }
}
