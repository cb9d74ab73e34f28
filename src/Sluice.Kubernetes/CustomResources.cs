using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Kubernetes;

/// <summary>
/// Upstreams and VirtualServices as custom resources, Gloo 0.x's way (reference §6.3): the Gloo
/// object minus name, metadata and status is the resource's <c>spec</c>; the verdict is the
/// resource's <c>status</c>. The spec is read by the same codec as a config file, so its errors
/// name the resource and the field (<c>spec.…</c>) as a file's do.
/// </summary>
internal sealed class CustomResources(KubernetesStoreOptions options)
{
    public string ApiVersion { get; } = $"{options.Group}/{options.Version}";

    public static string Plural(ConfigKind kind) => kind == ConfigKind.Upstream ? "upstreams" : "virtualservices";

    public static string KindName(ConfigKind kind) => kind == ConfigKind.Upstream ? "Upstream" : "VirtualService";

    /// <summary>The collection of a kind: one namespace's, or every namespace's when <paramref name="ns"/> is null.</summary>
    public string CollectionPath(ConfigKind kind, string? ns) => ns is null
        ? $"/apis/{options.Group}/{options.Version}/{Plural(kind)}"
        : $"/apis/{options.Group}/{options.Version}/namespaces/{Uri.EscapeDataString(ns)}/{Plural(kind)}";

    public string ItemPath(ConfigKind kind, string ns, string name) =>
        $"{CollectionPath(kind, ns)}/{Uri.EscapeDataString(name)}";

    /// <summary>Where errors say a resource came from: <c>upstreams.gloo.solo.io/gloo-system/petstore</c>.</summary>
    public string SourceOf(ConfigKind kind, string ns, string name) => $"{Plural(kind)}.{options.Group}/{ns}/{name}";

    /// <summary>The resource's object, or the error that keeps it from being read (with its name whenever it has one).</summary>
    public DecodedDocument Decode(ConfigKind kind, JsonObject resource)
    {
        var metadata = resource["metadata"] as JsonObject;
        var name = metadata?["name"]?.GetValue<string>() ?? "";
        var ns = metadata?["namespace"]?.GetValue<string>() ?? options.Namespace;
        var source = SourceOf(kind, ns, name);
        var gloo = resource["spec"] is JsonObject spec ? (JsonObject)spec.DeepClone() : [];
        gloo.Remove("metadata");
        gloo.Remove("status");
        gloo["name"] = name;
        var decoded = ConfigCodec.ReadDocuments(gloo.ToJsonString(), kind, source).Single();
        if (decoded.Error is { } error)
        {
            // The codec read the Gloo object; in the resource it sits under spec. A line and
            // column of the one-line JSON built above would mislead, so only the field is kept.
            return decoded with
            {
                Name = name,
                Error = error with
                {
                    Source = source,
                    Line = null,
                    Column = null,
                    Kind = kind,
                    ObjectName = name,
                    Field = error.Field is { } field ? "spec." + field : "spec",
                },
            };
        }
        var meta = new Metadata
        {
            ResourceVersion = metadata?["resourceVersion"]?.GetValue<string>(),
            Namespace = ns,
            Annotations = metadata?["annotations"] is JsonObject annotations
                ? new ValueMap(annotations.Select(a => KeyValuePair.Create(a.Key, a.Value?.ToString() ?? "")))
                : ValueMap.Empty,
        };
        var status = ReadStatus(resource["status"] as JsonObject);
        IConfigObject obj = decoded.Object switch
        {
            Upstream u => u with { Metadata = meta, Status = status },
            VirtualService v => v with { Metadata = meta, Status = status },
            _ => throw new InvalidOperationException($"unexpected object {decoded.Object?.GetType().Name}"),
        };
        return decoded with { Object = obj };
    }

    /// <summary>The resource for an object: Gloo's object goes under spec, the store's fields under metadata.</summary>
    public JsonObject Encode(IConfigObject obj, string ns)
    {
        var spec = ConfigCodec.ToJson(obj);
        spec.Remove("name");
        spec.Remove("metadata");
        spec.Remove("status");
        var metadata = new JsonObject { ["name"] = obj.Name, ["namespace"] = ns };
        if (!string.IsNullOrEmpty(obj.Metadata.ResourceVersion))
        {
            metadata["resourceVersion"] = obj.Metadata.ResourceVersion;
        }
        if (obj.Metadata.Annotations.Count > 0)
        {
            metadata["annotations"] = new JsonObject(obj.Metadata.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        }
        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = KindName(obj.Kind),
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>Gloo's Status at the top level of the resource: <c>{state, reason}</c>.</summary>
    public static JsonObject EncodeStatus(Status status)
    {
        var json = new JsonObject { ["state"] = status.State.ToString() };
        if (status.Reason is { } reason)
        {
            json["reason"] = reason;
        }
        return json;
    }

    /// <summary>Reads a status written by Sluice (state names) or by Gloo (enum numbers); anything else is Pending.</summary>
    public static Status ReadStatus(JsonObject? status)
    {
        var reason = status?["reason"] is JsonValue r && r.TryGetValue<string>(out var text) ? text : null;
        StatusState? state = status?["state"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var name) && Enum.TryParse<StatusState>(name, ignoreCase: true, out var parsed) => parsed,
            JsonValue v when v.TryGetValue<int>(out var number) && Enum.IsDefined((StatusState)number) => (StatusState)number,
            _ => null,
        };
        return state is { } s ? new Status(s, reason) : Status.Pending;
    }

    /// <summary>A Kubernetes Secret's <c>data</c> (base64) and <c>stringData</c> as Sluice's flat map.</summary>
    public static ValueMap DecodeSecret(JsonObject secret)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (secret["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                var encoded = value?.GetValue<string>() ?? "";
                pairs[key] = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
        }
        if (secret["stringData"] is JsonObject stringData)
        {
            foreach (var (key, value) in stringData)
            {
                pairs[key] = value?.GetValue<string>() ?? "";
            }
        }
        return new ValueMap(pairs.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
