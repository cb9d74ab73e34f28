using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Api.Codec;

/// <summary>
/// Writes objects as snake_case JSON trees. Unset optional fields are left out, so a written
/// object reads back equal; lists that are set but empty (<c>multiple_destinations: []</c>)
/// and empty matchers are kept for the same reason.
/// </summary>
internal static class ConfigJson
{
    private static readonly JsonNodeOptions NodeOptions = new();
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = YamlLoader.MaxDepth + 8 };

    public static JsonObject Write(IConfigObject config) => config switch
    {
        Upstream upstream => Write(upstream),
        VirtualService service => Write(service),
        _ => throw new ArgumentException($"Unknown config object type {config.GetType().Name}.", nameof(config)),
    };

    private static JsonObject Write(Upstream upstream)
    {
        var json = new JsonObject { ["name"] = upstream.Name, ["type"] = upstream.Type };
        if (upstream.ConnectionTimeout is { } timeout)
        {
            json["connection_timeout"] = Durations.Format(timeout);
        }
        AddStruct(json, "spec", upstream.Spec);
        if (upstream.Functions.Count > 0)
        {
            json["functions"] = new JsonArray([.. upstream.Functions.Select(Write)]);
        }
        if (upstream.ServiceInfo is { } info)
        {
            var infoJson = new JsonObject { ["type"] = info.Type };
            AddStruct(infoJson, "properties", info.Properties);
            AddOrigin(infoJson, info.Discovered);
            json["service_info"] = infoJson;
        }
        if (upstream.UseHttp2)
        {
            json["use_http2"] = true;
        }
        if (upstream.HealthChecks.Count > 0)
        {
            json["health_checks"] = new JsonArray([.. upstream.HealthChecks.Select(c => JsonNode.Parse(c.Root.GetRawText()))]);
        }
        AddStruct(json, "load_balancer", upstream.LoadBalancer);
        AddStruct(json, "outlier_detection", upstream.OutlierDetection);
        AddStruct(json, "circuit_breakers", upstream.CircuitBreakers);
        AddMetadataAndStatus(json, upstream);
        return json;
    }

    private static JsonObject Write(UpstreamFunction function)
    {
        var json = new JsonObject { ["name"] = function.Name };
        AddStruct(json, "spec", function.Spec);
        AddOrigin(json, function.Discovered);
        return json;
    }

    private static void AddOrigin(JsonObject json, DiscoveryOrigin? origin)
    {
        if (origin is not null)
        {
            json["discovered"] = new JsonObject
            {
                ["source"] = origin.Source,
                ["discovered_at"] = origin.DiscoveredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
    }

    private static JsonObject Write(VirtualService service)
    {
        var json = new JsonObject { ["name"] = service.Name };
        AddStrings(json, "domains", service.Domains);
        if (service.Routes.Count > 0)
        {
            json["routes"] = new JsonArray([.. service.Routes.Select(Write)]);
        }
        if (service.SslConfig is { } ssl)
        {
            json["ssl_config"] = Write(ssl);
        }
        if (service.DisableForGateways)
        {
            json["disable_for_gateways"] = true;
        }
        AddMetadataAndStatus(json, service);
        return json;
    }

    private static JsonObject Write(SslConfig ssl)
    {
        var json = new JsonObject();
        AddString(json, "secret_ref", ssl.SecretRef);
        if (ssl.SslFiles is { } files)
        {
            var filesJson = new JsonObject();
            AddString(filesJson, "tls_cert", files.TlsCert);
            AddString(filesJson, "tls_key", files.TlsKey);
            AddString(filesJson, "root_ca", files.RootCa);
            json["ssl_files"] = filesJson;
        }
        AddStrings(json, "sni_domains", ssl.SniDomains);
        return json;
    }

    private static JsonObject Write(Route route)
    {
        var json = new JsonObject();
        if (route.RequestMatcher is { } matcher)
        {
            var matcherJson = new JsonObject();
            AddString(matcherJson, "path_prefix", matcher.PathPrefix);
            AddString(matcherJson, "path_regex", matcher.PathRegex);
            AddString(matcherJson, "path_exact", matcher.PathExact);
            AddMap(matcherJson, "headers", matcher.Headers);
            AddMap(matcherJson, "query_params", matcher.QueryParams);
            AddStrings(matcherJson, "verbs", matcher.Verbs);
            json["request_matcher"] = matcherJson;
        }
        if (route.EventMatcher is { } events)
        {
            json["event_matcher"] = new JsonObject { ["event_type"] = events.EventType };
        }
        if (route.SingleDestination is { } single)
        {
            json["single_destination"] = Write(single);
        }
        if (route.MultipleDestinations is { } multiple)
        {
            json["multiple_destinations"] = new JsonArray([.. multiple.Select(weighted => (JsonNode)new JsonObject
            {
                ["destination"] = Write(weighted.Destination),
                ["weight"] = weighted.Weight,
            })]);
        }
        if (route.Redirect is { } redirect)
        {
            var redirectJson = new JsonObject();
            if (redirect.HttpsRedirect)
            {
                redirectJson["https_redirect"] = true;
            }
            AddString(redirectJson, "host_redirect", redirect.HostRedirect);
            AddString(redirectJson, "path_redirect", redirect.PathRedirect);
            AddString(redirectJson, "prefix_rewrite", redirect.PrefixRewrite);
            if (redirect.ResponseCode is { } code)
            {
                redirectJson["response_code"] = code;
            }
            if (redirect.StripQuery)
            {
                redirectJson["strip_query"] = true;
            }
            json["redirect"] = redirectJson;
        }
        if (route.DirectResponse is { } direct)
        {
            var directJson = new JsonObject { ["status"] = direct.Status };
            AddString(directJson, "body", direct.Body);
            json["direct_response"] = directJson;
        }
        AddString(json, "prefix_rewrite", route.PrefixRewrite);
        if (route.RegexRewrite is { } regex)
        {
            json["regex_rewrite"] = new JsonObject { ["pattern"] = regex.Pattern, ["substitution"] = regex.Substitution };
        }
        AddStruct(json, "extensions", route.Extensions);
        return json;
    }

    private static JsonObject Write(Destination destination)
    {
        var json = new JsonObject();
        if (destination.Upstream is { } upstream)
        {
            json["upstream"] = new JsonObject { ["name"] = upstream.Name };
        }
        if (destination.Function is { } function)
        {
            json["function"] = new JsonObject
            {
                ["upstream_name"] = function.UpstreamName,
                ["function_name"] = function.FunctionName,
            };
        }
        return json;
    }

    private static void AddMetadataAndStatus(JsonObject json, IConfigObject config)
    {
        var metadata = config.Metadata;
        if (metadata.ResourceVersion is not null || metadata.Namespace is not null || metadata.Annotations.Count > 0)
        {
            var metadataJson = new JsonObject();
            AddString(metadataJson, "resource_version", metadata.ResourceVersion);
            AddString(metadataJson, "namespace", metadata.Namespace);
            AddMap(metadataJson, "annotations", metadata.Annotations);
            json["metadata"] = metadataJson;
        }
        if (config.Status is { } status)
        {
            var statusJson = new JsonObject { ["state"] = status.State.ToString() };
            AddString(statusJson, "reason", status.Reason);
            json["status"] = statusJson;
        }
    }

    private static void AddString(JsonObject json, string field, string? value)
    {
        if (value is not null)
        {
            json[field] = value;
        }
    }

    private static void AddStrings(JsonObject json, string field, ValueList<string> values)
    {
        if (values.Count > 0)
        {
            json[field] = new JsonArray([.. values.Select(value => (JsonNode)JsonValue.Create(value))]);
        }
    }

    private static void AddMap(JsonObject json, string field, ValueMap map)
    {
        if (map.Count > 0)
        {
            var mapJson = new JsonObject();
            foreach (var (key, value) in map)
            {
                mapJson[key] = value;
            }
            json[field] = mapJson;
        }
    }

    private static void AddStruct(JsonObject json, string field, Struct value)
    {
        if (!value.IsEmpty)
        {
            // A deep copy: the caller may change the tree without touching the object's Struct.
            json[field] = JsonNode.Parse(value.Root.GetRawText(), NodeOptions, DocumentOptions);
        }
    }
}
