using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Kubernetes.UpstreamDiscovery;

/// <summary>
/// The upstreams Gloo's upstream discovery made of Services (reference §3.1), as a pure function
/// of the Services: one per TCP port, named <c>namespace-service-port</c>, type <c>kubernetes</c>
/// with <c>{service_name, service_namespace, service_port}</c>, carrying the Service's annotations
/// (so <c>gloo.solo.io/swagger_url</c> or <c>discovery.sluice.io/function_discovery</c> put on a
/// Service reach function discovery) and the owner annotation <c>generated_by</c>. Like Gloo, it
/// skips <c>kube-system</c> and <c>default/kubernetes</c>; it also skips ExternalName Services,
/// which have no endpoints to watch.
/// </summary>
internal static class DiscoveredUpstreams
{
    /// <summary>Gloo's owner annotation, so upstreams Gloo's discovery wrote are recognised too.</summary>
    public const string OwnerAnnotation = "generated_by";

    public const string Owner = "kubernetes-upstream-discovery";

    /// <summary>kubectl's copy of the whole object: noise on an upstream, and often large.</summary>
    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    public static Dictionary<string, Upstream> Of(IEnumerable<JsonObject> services)
    {
        var upstreams = new Dictionary<string, Upstream>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var ns = service["metadata"]?["namespace"]?.GetValue<string>() ?? "";
            var name = service["metadata"]?["name"]?.GetValue<string>() ?? "";
            if (ns == "kube-system" || (ns == "default" && name == "kubernetes") || service["spec"]?["type"]?.GetValue<string>() == "ExternalName")
            {
                continue;
            }
            var annotations = (service["metadata"]?["annotations"] as JsonObject ?? [])
                .Where(a => a.Key != LastApplied && a.Key != OwnerAnnotation && a.Value is JsonValue)
                .Select(a => KeyValuePair.Create(a.Key, a.Value!.GetValue<string>()))
                .Append(KeyValuePair.Create(OwnerAnnotation, Owner))
                .OrderBy(a => a.Key, StringComparer.Ordinal)
                .ToList();
            foreach (var port in (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((port["protocol"]?.GetValue<string>() ?? "TCP") != "TCP" || port["port"]?.GetValue<int>() is not { } number)
                {
                    continue;
                }
                var upstream = new Upstream
                {
                    Name = $"{ns}-{name}-{number}",
                    Type = "kubernetes",
                    Spec = new Struct(JsonSerializer.SerializeToElement(new { service_name = name, service_namespace = ns, service_port = number })),
                    Metadata = new Metadata { Annotations = new ValueMap(annotations) },
                };
                upstreams[upstream.Name] = upstream;
            }
        }
        return upstreams;
    }

    public static bool IsOwned(Upstream upstream) => upstream.Metadata.Annotations.GetValueOrDefault(OwnerAnnotation) == Owner;

    /// <summary>Whether the stored upstream already says what discovery would write (annotations in any order).</summary>
    public static bool SameAs(Upstream stored, Upstream desired) =>
        stored.Type == desired.Type
        && stored.Spec.Equals(desired.Spec)
        && stored.Metadata.Annotations.Count == desired.Metadata.Annotations.Count
        && desired.Metadata.Annotations.All(a => stored.Metadata.Annotations.GetValueOrDefault(a.Key) == a.Value);
}
