namespace Sluice.Api.Codec;

internal static class VirtualServiceReader
{
    // "roles" is Gloo 0.2.x: the Envoy roles (proxy groups) that serve this virtual service.
    // Sluice is one gateway, so a 0.2.x file is read as written and its roles are checked for
    // shape, then ignored; they are not written back. Gloo 0.4 replaced them the same way.

    /// <summary>Fields only a virtual service has.</summary>
    public static readonly string[] OwnFields = ["domains", "routes", "ssl_config", "disable_for_gateways", "roles"];

    public static VirtualService Read(ReadContext context, Node node)
    {
        var map = MappingReader.Open(context, node, "", Shapes.VirtualService, rejectUnknown: false);
        var name = map.ReadName();
        map.RejectUnknown();
        _ = map.StringList("roles");
        return new VirtualService
        {
            Name = name,
            Domains = map.StringList("domains"),
            Routes = map.List("routes", RouteReader.Read),
            SslConfig = map.Object("ssl_config", ReadSslConfig),
            DisableForGateways = map.Bool("disable_for_gateways") ?? false,
            Metadata = map.Object("metadata", MetadataReader.ReadMetadata) ?? Metadata.Empty,
            Status = map.Object("status", MetadataReader.ReadStatus),
        };
    }

    private static SslConfig ReadSslConfig(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.SslConfig);
        return new SslConfig
        {
            SecretRef = map.String("secret_ref"),
            SslFiles = map.Object("ssl_files", ReadSslFiles),
            SniDomains = map.StringList("sni_domains"),
        };
    }

    private static SslFiles ReadSslFiles(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.SslFiles);
        return new SslFiles
        {
            TlsCert = map.String("tls_cert"),
            TlsKey = map.String("tls_key"),
            RootCa = map.String("root_ca"),
        };
    }
}
