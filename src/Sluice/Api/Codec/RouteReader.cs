namespace Sluice.Api.Codec;

/// <summary>
/// Reads routes. Protobuf oneofs (matcher kind, path specifier, destination kind) may hold only
/// one member, which Gloo's parser enforced too. Whether a route has any matcher or destination
/// at all is the validator's question, so it can answer with the object's status.
/// </summary>
internal static class RouteReader
{
    public static Route Read(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.Route);
        return new Route
        {
            RequestMatcher = map.Object("request_matcher", ReadRequestMatcher),
            EventMatcher = map.Object("event_matcher", ReadEventMatcher),
            SingleDestination = map.Object("single_destination", ReadDestination),
            MultipleDestinations = map.Has("multiple_destinations") ? map.List("multiple_destinations", ReadWeighted) : null,
            Redirect = map.Object("redirect", ReadRedirect),
            DirectResponse = map.Object("direct_response", ReadDirectResponse),
            PrefixRewrite = map.String("prefix_rewrite"),
            RegexRewrite = map.Object("regex_rewrite", ReadRegexRewrite),
            Extensions = map.Struct("extensions"),
        };
    }

    private static RedirectAction ReadRedirect(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.Redirect);
        return new RedirectAction
        {
            HttpsRedirect = map.Bool("https_redirect") ?? false,
            HostRedirect = map.String("host_redirect"),
            PathRedirect = map.String("path_redirect"),
            PrefixRewrite = map.String("prefix_rewrite"),
            ResponseCode = map.UInt32("response_code"),
            StripQuery = map.Bool("strip_query") ?? false,
        };
    }

    private static DirectResponseAction ReadDirectResponse(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.DirectResponse);
        return new DirectResponseAction { Status = map.UInt32("status") ?? 0, Body = map.String("body") };
    }

    private static RegexRewrite ReadRegexRewrite(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.RegexRewrite);
        return new RegexRewrite { Pattern = map.RequiredString("pattern"), Substitution = map.String("substitution") ?? "" };
    }

    private static RequestMatcher ReadRequestMatcher(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.RequestMatcher);
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
        var map = MappingReader.Open(context, node, path, Shapes.EventMatcher);
        return new EventMatcher { EventType = map.String("event_type") ?? "" };
    }

    private static WeightedDestination ReadWeighted(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.WeightedDestination);
        return new WeightedDestination(map.RequiredObject("destination", ReadDestination), map.UInt32("weight") ?? 0);
    }

    private static Destination ReadDestination(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.Destination);
        return new Destination
        {
            Upstream = map.Object("upstream", ReadUpstream),
            Function = map.Object("function", ReadFunction),
        };
    }

    private static UpstreamDestination ReadUpstream(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.UpstreamDestination);
        return new UpstreamDestination(map.RequiredString("name"));
    }

    private static FunctionDestination ReadFunction(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.FunctionDestination);
        return new FunctionDestination(map.RequiredString("upstream_name"), map.RequiredString("function_name"));
    }
}
