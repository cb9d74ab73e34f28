using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>Objects for the etcd tests, written as YAML.</summary>
internal static class EtcdObjects
{
    public static Upstream Upstream(string name, int port, string? version = null)
    {
        var upstream = (Upstream)TestConfig.Read(TestConfig.Upstream(name, port))[0];
        return upstream with { Metadata = upstream.Metadata with { ResourceVersion = version } };
    }

    public static VirtualService Route(string name, string prefix, string upstream) => (VirtualService)TestConfig.Read($"""
        name: {name}
        domains: ['*']
        routes:
        - request_matcher:
            path_prefix: {prefix}
          single_destination:
            upstream:
              name: {upstream}
        """)[0];

    public static int PortOf(Upstream upstream) => upstream.Spec.Root.GetProperty("hosts")[0].GetProperty("port").GetInt32();
}
