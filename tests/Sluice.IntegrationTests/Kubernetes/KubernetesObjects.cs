using System.Text.Json.Nodes;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Services and EndpointSlices as the API server stores them (core v1, <c>discovery.k8s.io/v1</c>),
/// written the way the Service's owner and the EndpointSlice controller write them.
/// </summary>
internal static class KubernetesObjects
{
    public const string Services = "v1/services";
    public const string EndpointSlices = "discovery.k8s.io/v1/endpointslices";

    /// <summary>A ClusterIP Service; a port's <c>TargetPort</c> is a number or a container port's name.</summary>
    public static JsonObject Service(string ns, string name, IReadOnlyDictionary<string, string>? labels, params ServicePort[] ports) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = Labels(labels ?? new Dictionary<string, string>()),
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["selector"] = new JsonObject { ["app"] = name },
            ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)p.ToJson())]),
        },
    };

    /// <summary>
    /// An EndpointSlice of <paramref name="service"/>, as the controller writes it: the
    /// <c>kubernetes.io/service-name</c> label, one entry per Service port (its name, the number the
    /// pods use), and per pod its address and conditions.
    /// </summary>
    public static JsonObject EndpointSlice(string ns, string name, string service, IEnumerable<SlicePort> ports, IEnumerable<PodEndpoint> endpoints) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject
            {
                ["kubernetes.io/service-name"] = service,
                ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io",
            },
        },
        ["addressType"] = "IPv4",
        ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)p.ToJson())]),
        ["endpoints"] = new JsonArray([.. endpoints.Select(e => (JsonNode)e.ToJson())]),
    };

    /// <summary>Creates the object, or replaces it when it exists (what <c>kubectl apply</c> and controllers do).</summary>
    public static void Apply(FakeKubernetesApiServer api, string collection, JsonObject resource)
    {
        var metadata = resource["metadata"]!;
        if (api.Get(collection, metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>()) is null)
        {
            api.Create(resource);
        }
        else
        {
            api.ReplaceSpec(resource);
        }
    }

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels) =>
        new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    public sealed record ServicePort(string? Name, int Port, object TargetPort)
    {
        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["protocol"] = "TCP",
                ["port"] = Port,
                ["targetPort"] = TargetPort is int number ? number : (string)TargetPort,
            };
            if (Name is not null)
            {
                json["name"] = Name;
            }
            return json;
        }
    }

    /// <summary>A slice's port: the Service port's name ("" when unnamed) and the pods' number for it.</summary>
    public sealed record SlicePort(string Name, int Port)
    {
        public JsonObject ToJson() => new() { ["name"] = Name, ["protocol"] = "TCP", ["port"] = Port };
    }

    /// <summary>
    /// A pod in a slice. A terminating pod is reported not ready and terminating (serving while its
    /// readiness probe still passes), as the controller reports it.
    /// </summary>
    public sealed record PodEndpoint(string Address, bool Ready = true, bool Terminating = false)
    {
        public JsonObject ToJson() => new()
        {
            ["addresses"] = new JsonArray(Address),
            ["conditions"] = new JsonObject
            {
                ["ready"] = Ready && !Terminating,
                ["serving"] = Ready,
                ["terminating"] = Terminating,
            },
            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["name"] = "pod-" + Address.Replace('.', '-') },
        };
    }
}
