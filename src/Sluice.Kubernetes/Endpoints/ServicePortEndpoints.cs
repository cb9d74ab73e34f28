using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Kubernetes.Endpoints;

/// <summary>
/// The endpoints of one Service port, read from the Service and its EndpointSlices
/// (<c>discovery.k8s.io/v1</c>). Pure: the same objects give the same sorted list.
/// <list type="bullet">
/// <item>The port is the Service port whose <c>port</c> is the upstream's <c>service_port</c>, else
///   (as Gloo matched it) the one whose numeric <c>targetPort</c> is; without <c>service_port</c>,
///   the Service's only port.</item>
/// <item>Its <c>targetPort</c>, a number or a container port's name, is resolved per pod by the
///   EndpointSlice controller: each slice lists the port under the Service port's name with the
///   number its pods use, so the slice's number is taken (a named port can differ between pods).</item>
/// <item>Only ready endpoints, and of those none that is terminating: a pod being shut down gets
///   no new requests (those already sent finish; see <c>IEndpointSink</c>).</item>
/// </list>
/// </summary>
internal static class ServicePortEndpoints
{
    /// <summary>The label the EndpointSlice controller sets to the owning Service's name.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static ValueList<EndpointPlan> Resolve(JsonObject? service, IEnumerable<JsonObject> slices, int? servicePort)
    {
        if (service is null || ChoosePort(service, servicePort) is not { } port)
        {
            return ValueList<EndpointPlan>.Empty;
        }
        var portName = port["name"]?.GetValue<string>() ?? "";
        var numericTarget = port["targetPort"] is JsonValue target && target.GetValueKind() == JsonValueKind.Number ? target.GetValue<int>() : (int?)null;
        var endpoints = new HashSet<EndpointPlan>();
        foreach (var slice in slices)
        {
            if (!TryFindPort(slice, portName, out var slicePort) || (slicePort ?? numericTarget) is not { } number)
            {
                continue;
            }
            foreach (var endpoint in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (IsReady(endpoint) && (endpoint["addresses"] as JsonArray)?.FirstOrDefault()?.GetValue<string>() is { Length: > 0 } address)
                {
                    endpoints.Add(new EndpointPlan(address, number));
                }
            }
        }
        return new(endpoints.OrderBy(e => e.Host, StringComparer.Ordinal).ThenBy(e => e.Port));
    }

    private static JsonObject? ChoosePort(JsonObject service, int? servicePort)
    {
        var ports = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(IsTcp).ToList();
        if (servicePort is not { } wanted)
        {
            return ports.Count == 1 ? ports[0] : null;
        }
        return ports.FirstOrDefault(p => p["port"]?.GetValue<int>() == wanted)
            ?? ports.FirstOrDefault(p => p["targetPort"] is JsonValue t && t.GetValueKind() == JsonValueKind.Number && t.GetValue<int>() == wanted);
    }

    /// <summary>
    /// The slice's entry for the Service port named <paramref name="name"/>: false when the slice
    /// has none (it serves other ports); <paramref name="number"/> null when the entry leaves it out.
    /// </summary>
    private static bool TryFindPort(JsonObject slice, string name, out int? number)
    {
        foreach (var port in (slice["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((port["name"]?.GetValue<string>() ?? "") == name && IsTcp(port))
            {
                number = port["port"]?.GetValue<int>();
                return true;
            }
        }
        number = null;
        return false;
    }

    /// <summary>
    /// Ready and not terminating. The API says a missing <c>ready</c> means ready (and a missing
    /// <c>terminating</c>, not terminating); a terminating pod is reported not ready anyway unless
    /// the Service publishes not-ready addresses, which is why both are checked.
    /// </summary>
    private static bool IsReady(JsonObject endpoint)
    {
        var conditions = endpoint["conditions"] as JsonObject;
        return conditions?["ready"]?.GetValue<bool>() != false && conditions?["terminating"]?.GetValue<bool>() != true;
    }

    private static bool IsTcp(JsonObject port) => (port["protocol"]?.GetValue<string>() ?? "TCP") == "TCP";
}
