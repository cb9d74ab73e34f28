using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class MixedDocumentTests
{
    [Fact]
    public void InfersKind_FromType()
    {
        var text = Decode.Lines(
            "name: default-petstore-8080",                        // 1
            "type: kubernetes",                                   // 2
            "spec: { service_name: petstore, service_port: 8080 }", // 3
            "---",                                                // 4
            "name: default",                                      // 5
            "routes:",                                            // 6
            "- request_matcher: { path_prefix: / }",              // 7
            "  single_destination: { upstream: { name: default-petstore-8080 } }"); // 8

        var documents = ConfigCodec.ReadMixedDocuments(text, "-");

        Assert.Equal([ConfigKind.Upstream, ConfigKind.VirtualService], documents.Select(d => d.Kind));
        Assert.IsType<Upstream>(documents[0].Object);
        Assert.IsType<VirtualService>(documents[1].Object);
        Assert.Equal([(1, 3), (5, 8)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Theory]
    [InlineData("name: a\nspec: {hosts: []}\n", ConfigKind.Upstream, "type", "is required (the upstream plugin: static, kubernetes, aws, azure, google or consul)")]
    [InlineData("name: a\ntpye: static\nconnection_timeout: 1s\n", ConfigKind.Upstream, "tpye", "did you mean 'type'?")]
    [InlineData("name: a\ndomains: [a.com]\nspec: {}\n", ConfigKind.VirtualService, "spec", null)]
    [InlineData("name: a\nmetadata: {namespace: x}\n", ConfigKind.VirtualService, null, null)]
    public void InfersKind_ForBetterErrors(string yaml, ConfigKind kind, string? field, string? message)
    {
        var document = Assert.Single(ConfigCodec.ReadMixedDocuments(yaml, "-"));

        Assert.Equal(kind, document.Kind);
        Assert.Equal("a", document.Name);
        Assert.Equal(field, document.Error?.Field);
        if (message is not null)
        {
            Assert.EndsWith(message, document.Error!.Message);
        }
    }

    [Fact]
    public void ExpandsConfigureForm_WithEachItemsLines()
    {
        var text = Decode.Lines(
            "upstreams:",                                  // 1
            "- name: petstore",                            // 2
            "  type: static",                              // 3
            "  spec:",                                     // 4
            "    hosts: [{addr: petstore, port: 8080}]",   // 5
            "- name: lambda",                              // 6
            "  type: aws",                                 // 7
            "virtual_services:",                           // 8
            "- name: default",                             // 9
            "  routes:",                                   // 10
            "  - request_matcher: {path_prefix: /}",       // 11
            "    single_destination: {upstream: {name: petstore}}", // 12
            "---",                                         // 13
            "name: extra",                                 // 14
            "type: static");                               // 15

        var documents = ConfigCodec.ReadMixedDocuments(text, "gloo.yaml");

        Assert.All(documents, d => Assert.Null(d.Error));
        Assert.Equal(["petstore", "lambda", "default", "extra"], documents.Select(d => d.Name));
        Assert.Equal(
            [ConfigKind.Upstream, ConfigKind.Upstream, ConfigKind.VirtualService, ConfigKind.Upstream],
            documents.Select(d => d.Kind));
        Assert.Equal([(2, 5), (6, 7), (9, 12), (14, 15)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Fact]
    public void ConfigureForm_BadItem_CostsOnlyThatItem()
    {
        var text = Decode.Lines(
            "upstreams:",
            "- name: good",
            "  type: static",
            "- name: bad",
            "  type: static",
            "  spce: {}",
            "virtual_services: []");

        var documents = ConfigCodec.ReadMixedDocuments(text, "gloo.yaml");

        Assert.Equal(2, documents.Count);
        Assert.IsType<Upstream>(documents[0].Object);
        Assert.Equal("bad", documents[1].Name);
        Assert.Equal("gloo.yaml:6:3: upstream 'bad': field 'spce': unknown field (expected one of: name, type, connection_timeout, "
            + "spec, functions, service_info, use_http2, health_checks, load_balancer, outlier_detection, circuit_breakers, metadata, status); did you mean 'spec'?", documents[1].Error!.ToString());
    }

    [Theory]
    [InlineData("upstreams: {name: a}\n", "upstreams", "expected a list of upstreams, got a mapping")]
    [InlineData("upstreams: []\nvirtualservices: []\n", "virtualservices", "unknown field (expected one of: upstreams, virtual_services, roles, attributes); did you mean 'virtual_services'?")]
    [InlineData("upstreams: []\nroles:\n- name: ingress\n", "roles", "Gloo roles and attributes are not supported: Sluice serves virtual services on its own listeners (use disable_for_gateways to keep one off them)")]
    public void ConfigureForm_Errors(string text, string field, string message)
    {
        var document = Assert.Single(ConfigCodec.ReadMixedDocuments(text, "gloo.yaml"));

        Assert.Equal(field, document.Error!.Field);
        Assert.Equal(message, document.Error.Message);
    }

    [Fact]
    public void ConfigureForm_EmptyRoles_AreIgnored()
    {
        Assert.Empty(ConfigCodec.ReadMixedDocuments("upstreams: []\nvirtual_services:\nroles: []\n", "gloo.yaml"));
    }

    [Theory]
    [InlineData("[a, b]\n", "expected a mapping holding an upstream or a virtual service, got a list")]
    [InlineData("name: a\ntype: 'x\n", null)]
    public void Mixed_BadDocuments(string text, string? message)
    {
        var document = Assert.Single(ConfigCodec.ReadMixedDocuments(text, "-"));

        Assert.Null(document.Kind);
        Assert.Null(document.Object);
        if (message is not null)
        {
            Assert.Equal(message, document.Error!.Message);
        }
        else
        {
            Assert.StartsWith("invalid YAML", document.Error!.Message);
        }
    }
}
