namespace Sluice.Api.Codec;

/// <summary>
/// Reads routes. Protobuf oneofs (matcher kind, path specifier, destination kind) may hold only
/// one member, which Gloo's parser enforced too. Whether a route has any matcher or destination
/// at all is the validator's question, so it can answer with the object's status.
/// </summary>
internal static class RouteReader
{
    private static readonly string[] RouteFields =
        ["request_matcher", "event_matcher", "single_destination", "multiple_destinations", "prefix_rewrite", "extensions"];

    private static readonly string[] RequestMatcherFields =
        ["path_prefix", "path_regex", "path_exact", "headers", "query_params", "verbs"];

    private static readonly string[] EventMatcherFields = ["event_type"];
    private static readonly string[] WeightedFields = ["destination", "weight"];
    private static readonly string[] DestinationFields = ["upstream", "function"];
    private static readonly string[] UpstreamFields = ["name"];
    private static readonly string[] FunctionFields = ["upstream_name", "function_name"];

    public static Route Read(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, RouteFields);
        map.AtMostOne("request_matcher", "event_matcher");
        return new Route
        {
            RequestMatcher = map.Object("request_matcher", ReadRequestMatcher),
            EventMatcher = map.Object("event_matcher", ReadEventMatcher),
            SingleDestination = map.Object("single_destination", ReadDestination),
            MultipleDestinations = map.Has("multiple_destinations") ? map.List("multiple_destinations", ReadWeighted) : null,
            PrefixRewrite = map.String("prefix_rewrite"),
            Extensions = map.Struct("extensions"),
        };
    }

    private static RequestMatcher ReadRequestMatcher(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, RequestMatcherFields);
        map.AtMostOne("path_prefix", "path_regex", "path_exact");
        return new RequestMatcher
        {
            PathPrefix = map.String("path_prefix"),
            PathRegex = map.String("path_regex"),
            PathExact = map.String("path_exact"),
            Headers = map.StringMap("headers"),
            QueryParams = map.StringMap("query_params"),
            Verbs = map.StringList("verbs"),
        };
    }

    private static EventMatcher ReadEventMatcher(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, EventMatcherFields);
        return new EventMatcher { EventType = map.String("event_type") ?? "" };
    }

    private static WeightedDestination ReadWeighted(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, WeightedFields);
        return new WeightedDestination(map.RequiredObject("destination", ReadDestination), map.UInt32("weight") ?? 0);
    }

    private static Destination ReadDestination(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, DestinationFields);
        map.AtMostOne("upstream", "function");
        return new Destination
        {
            Upstream = map.Object("upstream", ReadUpstream),
            Function = map.Object("function", ReadFunction),
        };
    }

    private static UpstreamDestination ReadUpstream(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, UpstreamFields);
        return new UpstreamDestination(map.RequiredString("name"));
    }

    private static FunctionDestination ReadFunction(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, FunctionFields);
        return new FunctionDestination(map.RequiredString("upstream_name"), map.RequiredString("function_name"));
    }
}
