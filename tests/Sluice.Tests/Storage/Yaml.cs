namespace Sluice.Tests.Storage;

/// <summary>Small v1 objects as a user would write them.</summary>
internal static class Yaml
{
    public static string Upstream(string name, int port = 8080) => $"""
        name: {name}
        type: static
        spec:
          hosts:
          - addr: 127.0.0.1
            port: {port}

        """;

    public static string VirtualService(string name, string upstream = "a", string domain = "*") => $"""
        name: {name}
        domains:
        - '{domain}'
        routes:
        - request_matcher:
            path_prefix: /
          single_destination:
            upstream:
              name: {upstream}

        """;
}
