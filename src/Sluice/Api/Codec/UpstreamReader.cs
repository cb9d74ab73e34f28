namespace Sluice.Api.Codec;

internal static class UpstreamReader
{

    /// <summary>Fields only an upstream has: a document with them but no <c>type</c> is an upstream missing its type.</summary>
    public static readonly string[] OwnFields = ["type", "connection_timeout", "spec", "functions", "service_info"];

    public static Upstream Read(ReadContext context, Node node)
    {
        var map = MappingReader.Open(context, node, "", Shapes.Upstream, rejectUnknown: false);
        var name = map.ReadName();
        map.RejectUnknown();
        return new Upstream
        {
            Name = name,
            Type = map.RequiredString("type", "the upstream plugin: static, kubernetes, aws, azure, google or consul"),
            ConnectionTimeout = map.Duration("connection_timeout"),
            Spec = map.Struct("spec"),
            Functions = map.List("functions", ReadFunction),
            ServiceInfo = map.Object("service_info", ReadServiceInfo),
            UseHttp2 = map.Bool("use_http2") ?? false,
            HealthChecks = map.List("health_checks", Values.Struct),
            LoadBalancer = map.Struct("load_balancer"),
            OutlierDetection = map.Struct("outlier_detection"),
            CircuitBreakers = map.Struct("circuit_breakers"),
            Metadata = map.Object("metadata", MetadataReader.ReadMetadata) ?? Metadata.Empty,
            Status = map.Object("status", MetadataReader.ReadStatus),
        };
    }

    private static UpstreamFunction ReadFunction(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.UpstreamFunction);
        return new UpstreamFunction
        {
            Name = map.RequiredString("name"),
            Spec = map.Struct("spec"),
            Discovered = map.Object("discovered", ReadOrigin),
        };
    }

    private static ServiceInfo ReadServiceInfo(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.ServiceInfo);
        return new ServiceInfo
        {
            Type = map.RequiredString("type", "REST, gRPC or nats"),
            Properties = map.Struct("properties"),
            Discovered = map.Object("discovered", ReadOrigin),
        };
    }

    /// <summary>
    /// The marker <c>sluice get</c> shows on discovered parts. Read back so that its output can be
    /// applied again; the store drops what it marks rather than copying it into a user's file.
    /// </summary>
    private static DiscoveryOrigin ReadOrigin(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.DiscoveryOrigin);
        var at = map.String("discovered_at");
        DateTimeOffset discoveredAt = default;
        if (at is not null && !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out discoveredAt))
        {
            throw context.Error(map.Get("discovered_at")!, map.Path("discovered_at"), $"'{at}' is not a time (expected e.g. 2026-12-02T07:00:00Z)");
        }
        return new DiscoveryOrigin { Source = map.RequiredString("source"), DiscoveredAt = discoveredAt };
    }
}
