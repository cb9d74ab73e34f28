using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Discovery;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>Shortcuts for discovery tests: one pass over a store, and the record it left.</summary>
internal static class Discover
{
    public static readonly DiscoveryOptions Fast = new() { RequestTimeout = TimeSpan.FromSeconds(5) };

    public static async Task<IReadOnlyList<UpstreamDiscoveryState>> OnceAsync(IConfigStore store, DiscoveryOptions? options = null)
    {
        using var service = new DiscoveryService(store, options ?? Fast, NullLogger<DiscoveryService>.Instance);
        return await service.RunOnceAsync(CancellationToken.None);
    }

    public static async Task<DiscoveryRecord> RecordAsync(IDiscoveryStore store, string upstream) =>
        await store.ReadDiscoveryAsync(upstream, CancellationToken.None)
        ?? throw new Xunit.Sdk.XunitException($"no discovery record for upstream '{upstream}'");

    public static string Get(UpstreamFunction function, string field) =>
        function.Spec.Root.GetProperty(field).GetString()!;

    public static string Header(UpstreamFunction function, string name) =>
        function.Spec.Root.GetProperty("headers").GetProperty(name).GetString()!;

    /// <summary>An opted-in static upstream on a loopback port.</summary>
    public static string Upstream(string name, int port, string annotations = "discovery.sluice.io/function_discovery: enabled") => $$"""
        name: {{name}}
        type: static
        spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
        metadata: { annotations: { {{annotations}} } }
        """;

    /// <summary>Where the shared third-party test data lives (../shared/testdata beside the repository).</summary>
    public static string TestData(string folder)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "..", "shared", "testdata")))
        {
            dir = dir.Parent;
        }
        return dir is null
            ? throw new DirectoryNotFoundException("../shared/testdata not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "..", "shared", "testdata", folder);
    }
}
