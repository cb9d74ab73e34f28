using Sluice.Api;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Translation;

/// <summary>Each object judged alone; the last accepted version of a rejected one keeps serving.</summary>
public sealed class IsolationTranslationTests
{
    private const string GoodService = """
        name: shop
        domains: [shop.example.com]
        routes:
        - request_matcher: { path_prefix: /v1 }
          single_destination: { upstream: { name: backend } }
        """;

    private const string BadService = """
        name: shop
        domains: [shop.example.com]
        routes:
        - request_matcher: { path_prefix: /v2 }
        """;

    [Fact]
    public void Rejected_update_keeps_the_last_accepted_version()
    {
        var first = Translate(Backend + GoodService);
        var second = Translate(Backend + BadService, first.State);

        var status = second.StatusOf(ConfigKind.VirtualService, "shop");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("must specify either 'single_destination'", status.Reason);
        Assert.Contains("the last accepted version", status.Reason);
        Assert.Equal("/v1", Assert.Single(Assert.Single(second.Plan.VirtualHosts).Routes).Match.Path);
    }

    [Fact]
    public void Rejected_object_without_a_previous_version_serves_nothing()
    {
        var result = Translate(Backend + BadService);
        Assert.Contains("nothing is served for it", result.StatusOf(ConfigKind.VirtualService, "shop").Reason);
        Assert.Empty(result.Plan.VirtualHosts);
    }

    [Fact]
    public void Rejected_upstream_update_keeps_its_last_cluster()
    {
        var first = Translate(Backend);
        var second = Translate("name: backend\ntype: static\nspec: { hosts: [] }\n", first.State);
        Assert.Equal(StatusState.Rejected, second.StatusOf(ConfigKind.Upstream, "backend").State);
        Assert.Equal("10.0.0.1", Assert.Single(Assert.Single(second.Plan.Clusters).Endpoints).Host);
    }

    [Fact]
    public void Load_error_rejects_the_object_named_and_its_last_version_serves()
    {
        var first = Translate(Backend + GoodService);
        var broken = Snapshot(Backend, new ConfigError("mapping values are not allowed here")
        {
            Source = "virtualservices/shop.yaml",
            Line = 4,
            Kind = ConfigKind.VirtualService,
            ObjectName = "shop",
        });
        var second = Translate(broken, first.State);
        var status = second.StatusOf(ConfigKind.VirtualService, "shop");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.StartsWith("virtualservices/shop.yaml:4: mapping values are not allowed here", status.Reason);
        Assert.Single(second.Plan.VirtualHosts);
    }

    [Fact]
    public void Deleted_objects_are_gone()
    {
        var first = Translate(Backend + GoodService);
        var second = Translate(Backend, first.State);
        Assert.Empty(second.Plan.VirtualHosts);
        Assert.DoesNotContain(second.Reports, r => r.Name == "shop");
    }

    [Fact]
    public void Cold_start_domain_conflict_goes_to_the_lower_name()
    {
        var result = Translate(Backend + Service("beta", "x.example.com") + "---\n" + Service("alpha", "x.example.com"));
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.VirtualService, "alpha").State);
        var beta = result.StatusOf(ConfigKind.VirtualService, "beta");
        Assert.Equal(StatusState.Rejected, beta.State);
        Assert.Contains("domain 'x.example.com' is already served by virtual service 'alpha'", beta.Reason);
        Assert.Equal("alpha", Assert.Single(result.Plan.VirtualHosts).Name);
    }

    [Fact]
    public void Domain_holder_keeps_it_against_a_lower_newcomer()
    {
        var first = Translate(Backend + Service("zeta", "x.example.com"));
        var second = Translate(Backend + Service("zeta", "x.example.com") + "---\n" + Service("alpha", "x.example.com"), first.State);
        Assert.Equal(StatusState.Accepted, second.StatusOf(ConfigKind.VirtualService, "zeta").State);
        Assert.Equal(StatusState.Rejected, second.StatusOf(ConfigKind.VirtualService, "alpha").State);
        Assert.Equal("zeta", Assert.Single(second.Plan.VirtualHosts).Name);
    }

    [Fact]
    public void Conflicting_update_falls_back_to_the_last_accepted_version()
    {
        var first = Translate(Backend + Service("alpha", "a.example.com") + "---\n" + Service("beta", "b.example.com"));
        // beta now also claims alpha's domain: rejected, but its old version (b only) keeps serving.
        var second = Translate(Backend + Service("alpha", "a.example.com") + "---\n" + Service("beta", "b.example.com, a.example.com"), first.State);
        Assert.Equal(StatusState.Rejected, second.StatusOf(ConfigKind.VirtualService, "beta").State);
        var beta = second.Plan.VirtualHosts.Single(h => h.Name == "beta");
        Assert.Equal(["b.example.com"], beta.Domains);
    }

    [Fact]
    public void Only_one_default_virtual_service()
    {
        var result = Translate(Backend + Service("one", "") + "---\n" + Service("two", ""));
        Assert.Contains("domain '*' is already served by virtual service 'one'", result.StatusOf(ConfigKind.VirtualService, "two").Reason);
    }

    [Fact]
    public void Translation_is_pure_same_input_same_output()
    {
        var yaml = Backend + GoodService;
        var a = Translate(yaml);
        var b = Translate(yaml);
        Assert.Equal(a.Reports, b.Reports);
        Assert.Equal(a.Plan.Clusters, b.Plan.Clusters);
    }

    private static string Service(string name, string domains) => $$"""
        name: {{name}}
        domains: [{{domains}}]
        routes:
        - request_matcher: { path_prefix: / }
          single_destination: { upstream: { name: backend } }

        """;
}
