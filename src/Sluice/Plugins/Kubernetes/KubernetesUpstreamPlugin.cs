using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Kubernetes;

/// <summary>
/// <c>type: kubernetes</c>: a service (and optionally a pod label subset) whose endpoints come from
/// Kubernetes. The spec is read and validated here; endpoints arrive with the Kubernetes
/// discovery, so until it runs the cluster is empty and its routes answer 503.
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
        spec.Integer("service_port", 1, 65535);
        spec.StringMap("labels");
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

        diagnostics.Warning($"endpoints of service {serviceNamespace}/{serviceName} come from Kubernetes discovery, which is not running; routes to this upstream answer 503");
        return new ClusterPlan
        {
            Name = upstream.Name,
            Endpoints = ValueList<EndpointPlan>.Empty,
            ConnectTimeout = upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout,
            Functions = new(upstream.Functions.Select(f => f.Name)),
        };
    }
}
