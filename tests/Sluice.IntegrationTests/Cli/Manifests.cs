namespace Sluice.IntegrationTests.Cli;

/// <summary>Objects the CLI tests apply, as a user would write them.</summary>
internal static class Manifests
{
    public static string Upstream(string name, int port = 9090) => $"""
        name: {name}
        type: static
        spec:
          hosts:
          - addr: 127.0.0.1
            port: {port}
        """;

    public static string VirtualService(string name, string upstream, string domain = "*") => $"""
        name: {name}
        domains: ['{domain}']
        routes:
        - request_matcher:
            path_prefix: /
          single_destination:
            upstream:
              name: {upstream}
        """;

    public static string Join(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
