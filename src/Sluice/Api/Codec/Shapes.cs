namespace Sluice.Api.Codec;

/// <summary>
/// The v1 API as the codec reads it (API.md; Gloo's protos, reference §1): every structure, field
/// and type. The readers and the JSON Schema both come from here.
/// </summary>
internal static class Shapes
{
    private static Field F(string name, FieldType type, string description) => new(name, type, description);

    private static Field Required(string name, FieldType type, string description) => new(name, type, description) { Required = true };

    private static Field Obj(string name, Shape of, string description) => new(name, FieldType.Object, description) { Of = of };

    private static Field List(string name, Shape of, string description) => new(name, FieldType.List, description) { Of = of };

    public static readonly Shape Metadata = new("metadata", "Kept by the store: resource_version for optimistic concurrency; annotations for tools",
    [
        F("resource_version", FieldType.String, "The store's version of this object; when set on an update it must be current"),
        F("namespace", FieldType.String, "Kubernetes namespace (Kubernetes store)"),
        F("annotations", FieldType.StringMap, "Free-form string annotations (e.g. discovery.solo.io/function_discovery: enabled)"),
    ]);

    public static readonly Shape Status = new("status", "Written by Sluice, never by users: the object's verdict",
    [
        new Field("state", FieldType.Enum, "Pending, Accepted, Rejected or Warning") { Values = Enum.GetNames<StatusState>() },
        F("reason", FieldType.String, "Why, unless accepted"),
    ]);

    public static readonly Shape DiscoveryOrigin = new("discovery_origin", "Marks what function discovery found (shown by sluice get; never stored in a user's file)",
    [
        Required("source", FieldType.String, "Where it was found (an OpenAPI URL, gRPC reflection, a listing)"),
        F("discovered_at", FieldType.String, "When, as an RFC 3339 time"),
    ]);

    public static readonly Shape UpstreamFunction = new("upstream_function", "A function of an upstream that routes can call",
    [
        Required("name", FieldType.String, "The function's name, as routes name it"),
        F("spec", FieldType.Struct, "Plugin-specific: path and method for REST, function_name for Lambda, …"),
        Obj("discovered", DiscoveryOrigin, "Set on functions found by discovery"),
    ]);

    public static readonly Shape ServiceInfo = new("service_info", "What kind of service runs behind the upstream",
    [
        Required("type", FieldType.String, "REST, gRPC or nats"),
        F("properties", FieldType.Struct, "Service-specific: descriptors for gRPC, cluster_id for NATS, …"),
        Obj("discovered", DiscoveryOrigin, "Set when discovery found it"),
    ]);

    public static readonly Shape Upstream = new("upstream", "A place requests can go: one cluster, chosen by its type's plugin",
    [
        Required("name", FieldType.Name, "Lowercase RFC 1123 labels separated by dots"),
        Required("type", FieldType.String, "The upstream plugin: static (alias service), kubernetes, aws, azure, google or consul"),
        F("connection_timeout", FieldType.Duration, "Time allowed to open a connection (default 5s)"),
        F("spec", FieldType.Struct, "The plugin's settings (hosts for static, service_name for consul, region for aws, …)"),
        List("functions", UpstreamFunction, "Functions routes can call"),
        Obj("service_info", ServiceInfo, "The service behind the upstream"),
        F("use_http2", FieldType.Bool, "Speak HTTP/2 to the upstream (gRPC)"),
        F("health_checks", FieldType.StructList, "Active health checks (Gloo Edge's shape)"),
        F("load_balancer", FieldType.Struct, "{policy: round_robin | least_request | random | power_of_two}"),
        F("outlier_detection", FieldType.Struct, "Passive health: eject endpoints that fail"),
        F("circuit_breakers", FieldType.Struct, "Connection and request limits"),
        Obj("metadata", Metadata, "Kept by the store"),
        Obj("status", Status, "Written by Sluice"),
    ]);

    public static readonly Shape SslFiles = new("ssl_files", "Certificate files on the gateway's disk (relative paths: to the config folder)",
    [
        F("tls_cert", FieldType.String, "Certificate chain (PEM)"),
        F("tls_key", FieldType.String, "Private key (PEM)"),
        F("root_ca", FieldType.String, "CA that client certificates must chain to (mutual TLS)"),
    ]);

    public static readonly Shape SslConfig = new("ssl_config", "Serve the virtual service over TLS",
    [
        F("secret_ref", FieldType.String, "A secret with tls.crt, tls.key (and tls.root)"),
        Obj("ssl_files", SslFiles, "Or files on disk"),
        F("sni_domains", FieldType.StringList, "Server names this certificate answers (default: the domains)"),
    ], ["secret_ref", "ssl_files"]);

    public static readonly Shape UpstreamDestination = new("upstream_destination", "An upstream as a whole",
    [
        Required("name", FieldType.String, "The upstream's name"),
    ]);

    public static readonly Shape FunctionDestination = new("function_destination", "One function of an upstream",
    [
        Required("upstream_name", FieldType.String, "The upstream's name"),
        Required("function_name", FieldType.String, "The function's name"),
    ]);

    public static readonly Shape Destination = new("destination", "Where a route sends requests: an upstream or one of its functions",
    [
        Obj("upstream", UpstreamDestination, "An upstream as a whole"),
        Obj("function", FunctionDestination, "A function of an upstream"),
    ], ["upstream", "function"]);

    public static readonly Shape WeightedDestination = new("weighted_destination", "A destination and its share of requests",
    [
        new Field("destination", FieldType.Object, "The destination") { Of = Destination, Required = true },
        F("weight", FieldType.UInt32, "Relative weight (0 takes no requests)"),
    ]);

    public static readonly Shape RequestMatcher = new("request_matcher", "Matches requests: at most one path specifier; headers, query parameters and verbs must all match",
    [
        F("path_prefix", FieldType.String, "Paths starting with this"),
        F("path_regex", FieldType.String, "Paths matching this regex (whole path)"),
        F("path_exact", FieldType.String, "This exact path"),
        F("headers", FieldType.StringMap, "\"\": present; a value with .*: a regex; otherwise exact"),
        F("query_params", FieldType.StringMap, "Same rules as headers"),
        F("verbs", FieldType.StringList, "HTTP methods (all when empty)"),
    ], ["path_prefix", "path_regex", "path_exact"]);

    public static readonly Shape EventMatcher = new("event_matcher", "Matches CloudEvents posted to /events by their type",
    [
        F("event_type", FieldType.String, "The event type"),
    ]);

    public static readonly Shape Redirect = new("redirect", "Answer with a redirect instead of a destination",
    [
        F("https_redirect", FieldType.Bool, "Redirect to https"),
        F("host_redirect", FieldType.String, "Replace the host"),
        F("path_redirect", FieldType.String, "Replace the path"),
        F("prefix_rewrite", FieldType.String, "Replace the matched prefix"),
        F("response_code", FieldType.UInt32, "301 (default), 302, 303, 307 or 308"),
        F("strip_query", FieldType.Bool, "Drop the query string"),
    ], ["path_redirect", "prefix_rewrite"]);

    public static readonly Shape DirectResponse = new("direct_response", "Answer with a fixed response instead of a destination",
    [
        F("status", FieldType.UInt32, "Status code"),
        F("body", FieldType.String, "Body"),
    ]);

    public static readonly Shape RegexRewrite = new("regex_rewrite", "Rewrite the path by regex",
    [
        Required("pattern", FieldType.String, "Regex over the path"),
        F("substitution", FieldType.String, "Replacement ($1, $2 for groups)"),
    ]);

    public static readonly Shape Route = new("route", "A matcher and what to do with what it matches; the first matching route wins",
    [
        Obj("request_matcher", RequestMatcher, "Match requests"),
        Obj("event_matcher", EventMatcher, "Or match events"),
        Obj("single_destination", Destination, "Send to one destination"),
        List("multiple_destinations", WeightedDestination, "Or split between weighted destinations"),
        Obj("redirect", Redirect, "Or answer with a redirect"),
        Obj("direct_response", DirectResponse, "Or answer with a fixed response"),
        F("prefix_rewrite", FieldType.String, "Replace the matched prefix"),
        Obj("regex_rewrite", RegexRewrite, "Or rewrite the path by regex"),
        F("extensions", FieldType.Struct, "Route plugins: timeout, max_retries, cors, header changes, transformations, …"),
    ], ["request_matcher", "event_matcher"], ["redirect", "direct_response"], ["prefix_rewrite", "regex_rewrite"]);

    public static readonly Shape VirtualService = new("virtualservice", "A set of domains and the ordered routes served for them",
    [
        Required("name", FieldType.Name, "Lowercase RFC 1123 labels separated by dots"),
        F("domains", FieldType.StringList, "Host names; *.a.com wildcards; empty means *"),
        List("routes", Route, "Tried in order; the first match wins"),
        Obj("ssl_config", SslConfig, "Serve over TLS"),
        F("disable_for_gateways", FieldType.Bool, "Do not serve this virtual service"),
        F("roles", FieldType.StringList, "Gloo 0.2.x's proxy roles: read and ignored"),
        Obj("metadata", Metadata, "Kept by the store"),
        Obj("status", Status, "Written by Sluice"),
    ]);
}
