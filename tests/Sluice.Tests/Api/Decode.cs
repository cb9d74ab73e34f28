using Sluice.Api;

namespace Sluice.Tests.Api;

/// <summary>Reads test YAML and insists on exactly what the test expects, with the error shown if not.</summary>
internal static class Decode
{
    public const string UpstreamSource = "upstreams/a.yaml";
    public const string ServiceSource = "virtualservices/a.yaml";

    public static Upstream Upstream(string yaml) => (Upstream)Single(yaml, ConfigKind.Upstream);

    public static VirtualService Service(string yaml) => (VirtualService)Single(yaml, ConfigKind.VirtualService);

    public static IConfigObject Single(string yaml, ConfigKind kind)
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments(yaml, kind, Source(kind)));
        Assert.True(document.Error is null, document.Error?.ToString());
        return document.Object!;
    }

    public static ConfigError Error(string yaml, ConfigKind kind)
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments(yaml, kind, Source(kind)));
        Assert.Null(document.Object);
        return Assert.IsType<ConfigError>(document.Error);
    }

    public static string Source(ConfigKind kind) => kind == ConfigKind.Upstream ? UpstreamSource : ServiceSource;

    /// <summary>Lines joined with '\n', so tests can count lines at a glance.</summary>
    public static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";
}
