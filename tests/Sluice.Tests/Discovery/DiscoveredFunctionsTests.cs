using System.Text.Json;
using Sluice.Api;
using Sluice.Discovery;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Tests.Discovery;

/// <summary>The merge of discovered functions into an upstream, and who discovery looks at.</summary>
public sealed class DiscoveredFunctionsTests
{
    private static readonly DiscoveryOrigin Origin = new() { Source = "http://a/openapi.json", DiscoveredAt = DateTimeOffset.UnixEpoch };

    private static UpstreamFunction Function(string name, string path, DiscoveryOrigin? origin = null) => new()
    {
        Name = name,
        Spec = new Struct(JsonDocument.Parse(JsonSerializer.Serialize(new { path })).RootElement),
        Discovered = origin,
    };

    [Fact]
    public void User_functions_come_first_and_win_with_a_warning()
    {
        var upstream = new Upstream { Name = "a", Type = "static", Functions = new([Function("get", "/mine")]), ServiceInfo = new ServiceInfo { Type = "REST" } };
        var record = new DiscoveryRecord
        {
            Source = Origin.Source,
            ServiceInfo = new ServiceInfo { Type = "gRPC", Discovered = Origin },
            Functions = new([Function("add", "/add", Origin), Function("get", "/theirs", Origin)]),
            Problems = new(["operation POST /form (form): skipped, its request body is multipart/form-data"]),
        };
        var diagnostics = new Diagnostics();

        var merged = DiscoveredFunctions.Merge(upstream, record, diagnostics);

        Assert.Equal(["get", "add"], merged.Functions.Select(f => f.Name));
        Assert.Equal("/mine", merged.Functions[0].Spec.Root.GetProperty("path").GetString());
        Assert.Equal("REST", merged.ServiceInfo?.Type);
        Assert.Equal(
            [
                "functions: discovered function 'get' (from http://a/openapi.json) is shadowed by the user-written function of the same name",
                "discovery: operation POST /form (form): skipped, its request body is multipart/form-data",
            ],
            diagnostics.Warnings);
        Assert.Same(upstream, DiscoveredFunctions.Merge(upstream, null, diagnostics));
    }

    [Fact]
    public void Discovered_service_info_fills_in_when_the_user_gave_none_and_the_store_never_writes_it_back()
    {
        var upstream = new Upstream { Name = "a", Type = "static" };
        var record = new DiscoveryRecord { Source = "s", ServiceInfo = new ServiceInfo { Type = "REST", Discovered = Origin }, Functions = new([Function("f", "/f", Origin)]) };

        var merged = DiscoveredFunctions.Merge(upstream, record, null);

        Assert.Equal("REST", merged.ServiceInfo?.Type);
        var yaml = ConfigCodec.ToYaml(merged);
        Assert.Contains("discovered_at: 1970-01-01T00:00:00Z", yaml);
        // What the file store writes for this object: no discovered function, no discovered service info.
        var stored = (Upstream)StoredObjects.Strip(merged);
        Assert.Empty(stored.Functions);
        Assert.Null(stored.ServiceInfo);
    }

    [Theory]
    [InlineData(DiscoveryMode.OptIn, "", false)]
    [InlineData(DiscoveryMode.OptIn, "discovery.sluice.io/function_discovery=enabled", true)]
    [InlineData(DiscoveryMode.OptIn, "discovery.sluice.io/function_discovery=ENABLED", true)]
    [InlineData(DiscoveryMode.OptIn, "gloo.solo.io/swagger_url=/swagger.json", true)]
    [InlineData(DiscoveryMode.OptIn, "gloo.solo.io/swagger_doc={}", true)]
    [InlineData(DiscoveryMode.OptIn, "discovery.sluice.io/openapi_url=/v3/api-docs", true)]
    [InlineData(DiscoveryMode.OptIn, "discovery.sluice.io/listing=openfaas", true)]
    [InlineData(DiscoveryMode.OptIn, "gloo.solo.io/swagger_url=/s;discovery.sluice.io/function_discovery=disabled", false)]
    [InlineData(DiscoveryMode.All, "", true)]
    [InlineData(DiscoveryMode.All, "discovery.sluice.io/function_discovery=disabled", false)]
    [InlineData(DiscoveryMode.Disabled, "discovery.sluice.io/function_discovery=enabled", false)]
    public void Who_discovery_looks_at(DiscoveryMode mode, string annotations, bool wanted)
    {
        var pairs = annotations.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Split('=', 2)).Select(a => new KeyValuePair<string, string>(a[0], a[1]));
        var upstream = new Upstream { Name = "a", Type = "static", Metadata = new Metadata { Annotations = new ValueMap(pairs) } };

        Assert.Equal(wanted, DiscoveryAnnotations.IsWanted(upstream, mode));
    }
}
