using Sluice.Api;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Configuration for tests, written as users write it: YAML.</summary>
internal static class TestConfig
{
    /// <summary>Reads objects of mixed kinds; any document that does not read fails the test.</summary>
    public static IReadOnlyList<IConfigObject> Read(string yaml)
    {
        var documents = ConfigCodec.ReadMixedDocuments(yaml, "test.yaml");
        var errors = documents.Where(d => d.Error is not null).Select(d => d.Error!.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return documents.Select(d => d.Object!).ToList();
    }

    /// <summary>A static upstream on a loopback port.</summary>
    public static string Upstream(string name, int port) => $"""
        name: {name}
        type: static
        spec:
          hosts:
          - addr: 127.0.0.1
            port: {port}
        ---

        """;
}
