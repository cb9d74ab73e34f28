using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Consul;

/// <summary>
/// <c>type: consul</c> (Gloo's <c>service_name</c> and <c>service_tags</c>, plus
/// <c>data_centers</c>): a service registered in Consul. The spec is read and checked here; the
/// plan names a <see cref="ConsulServiceFeed"/>, and the gateway's Consul source fills in the
/// passing instances at run time (an endpoint-only update, no new translation). Until the first
/// answer from Consul the cluster is empty and its routes answer 503.
/// </summary>
internal sealed class ConsulUpstreamPlugin : IUpstreamPlugin
{
    public string Name => "consul";

    public IReadOnlyList<string> UpstreamTypes { get; } = ["consul"];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var serviceName = spec.String("service_name");
        var tags = spec.Strings("service_tags") ?? [];
        var dataCenters = spec.Strings("data_centers") ?? [];
        spec.WarnUnknownKeys();

        if (string.IsNullOrWhiteSpace(serviceName))
        {
            diagnostics.Error("spec.service_name", "is required: the name the service is registered under in Consul");
        }
        if (tags.Any(string.IsNullOrWhiteSpace))
        {
            diagnostics.Error("spec.service_tags", "must not contain an empty tag");
        }
        if (dataCenters.FirstOrDefault(dc => !IsDataCenterName(dc)) is { } bad)
        {
            diagnostics.Error("spec.data_centers", $"'{bad}' is not a datacenter name (letters, digits, '-' and '_')");
        }
        if (diagnostics.HasErrors)
        {
            return null;
        }

        return new ClusterPlan
        {
            Name = upstream.Name,
            Endpoints = ValueList<EndpointPlan>.Empty,
            // Sorted and distinct: the order a user lists them in does not change the query, so it
            // must not make a new feed (and a new watch) either.
            EndpointFeed = new ConsulServiceFeed(
                serviceName!.Trim(),
                new(tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
                new(dataCenters.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))),
            ConnectTimeout = upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout,
        };
    }

    private static bool IsDataCenterName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
