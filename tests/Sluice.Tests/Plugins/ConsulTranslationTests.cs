using Sluice.Api;
using Sluice.Plugins.Consul;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins;

public sealed class ConsulTranslationTests
{
    [Fact]
    public void A_consul_upstream_names_its_service_as_the_endpoint_feed()
    {
        var result = Translate("name: pets\ntype: consul\nspec: { service_name: pets, service_tags: [v2, primary, v2], data_centers: [dc2, dc1] }\nconnection_timeout: 2s\n");
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "pets"));
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Empty(cluster.Endpoints);
        Assert.Equal(TimeSpan.FromSeconds(2), cluster.ConnectTimeout);
        // Sorted and distinct: the order of the user's lists does not make a different watch.
        Assert.Equal(new ConsulServiceFeed("pets", new(["primary", "v2"]), new(["dc1", "dc2"])), cluster.EndpointFeed);
        Assert.Equal("consul service pets tagged primary,v2 in dc1,dc2", cluster.EndpointFeed!.Describe());
    }

    [Fact]
    public void Without_tags_or_datacenters_it_watches_every_instance_in_the_agents_datacenter()
    {
        var result = Translate("name: pets\ntype: consul\nspec: { service_name: pets }\n");
        Assert.Equal(new ConsulServiceFeed("pets", ValueList<string>.Empty, ValueList<string>.Empty), Assert.Single(result.Plan.Clusters).EndpointFeed);
    }

    [Theory]
    [InlineData("spec: {}", "spec.service_name: is required")]
    [InlineData("spec: { service_name: '  ' }", "spec.service_name: is required")]
    [InlineData("spec: { service_name: pets, service_tags: [v1, ''] }", "spec.service_tags: must not contain an empty tag")]
    [InlineData("spec: { service_name: pets, service_tags: v1 }", "spec.service_tags")]
    [InlineData("spec: { service_name: pets, data_centers: ['dc 1'] }", "spec.data_centers: 'dc 1' is not a datacenter name")]
    public void Bad_specs_are_rejected_naming_the_field(string spec, string reason)
    {
        var result = Translate($"name: pets\ntype: consul\n{spec}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "pets");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(reason, status.Reason);
        Assert.Empty(result.Plan.Clusters);
    }

    [Fact]
    public void An_unknown_key_is_a_warning_naming_it()
    {
        var status = Translate("name: pets\ntype: consul\nspec: { service_name: pets, serviceTags: [v1] }\n").StatusOf(ConfigKind.Upstream, "pets");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("serviceTags", status.Reason);
    }
}
