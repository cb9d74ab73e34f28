using Sluice.Api;

namespace Sluice.Tests.Api;

/// <summary>Several documents per file, each with its exact line range; bad ones cost only themselves.</summary>
public sealed class DocumentRangeTests
{
    [Fact]
    public void Reads_SeveralDocuments_WithExactLineRanges()
    {
        var text = Decode.Lines(
            "# upstreams for the shop",          // 1
            "---",                                 // 2
            "# kubernetes upstream",               // 3
            "name: default-petstore-8080",         // 4
            "type: kubernetes",                    // 5
            "spec: { service_name: petstore, service_namespace: default, service_port: 8080 }", // 6
            "",                                    // 7
            "---",                                 // 8
            "name: website",                       // 9
            "type: static",                        // 10
            "spec:",                               // 11
            "  hosts:",                            // 12
            "  - addr: 10.0.0.1",                  // 13
            "    port: 80",                        // 14
            "# trailing comment",                  // 15
            "---",                                 // 16
            "# nothing here",                      // 17
            "---",                                 // 18
            "{\"name\": \"json-one\",",            // 19
            " \"type\": \"static\"}");             // 20

        var documents = ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "upstreams/shop.yaml");

        Assert.Equal(["default-petstore-8080", "website", "json-one"], documents.Select(d => d.Name));
        Assert.All(documents, d => Assert.Null(d.Error));
        Assert.All(documents, d => Assert.Equal(ConfigKind.Upstream, d.Kind));
        Assert.Equal([(4, 6), (9, 14), (19, 20)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Fact]
    public void BlockScalar_EndsAtItsLastWrittenLine()
    {
        var text = Decode.Lines(
            "name: a",             // 1
            "type: static",        // 2
            "functions:",          // 3
            "- name: f",           // 4
            "  spec:",             // 5
            "    body: |",         // 6
            "      line one",      // 7
            "      # line two",    // 8
            "",                    // 9
            "",                    // 10
            "---",                 // 11
            "name: b",             // 12
            "type: static");       // 13

        var documents = ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "u.yaml");

        Assert.Equal([(1, 8), (12, 13)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Fact]
    public void SyntaxError_CostsOnlyItsDocument()
    {
        var text = Decode.Lines(
            "name: a",             // 1
            "type: static",        // 2
            "---",                 // 3
            "name: b",             // 4
            "type: 'static",       // 5
            "spec: {}",            // 6
            "---",                 // 7
            "name: c",             // 8
            "type: static");       // 9

        var documents = ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "upstreams/u.yaml");

        Assert.Equal(3, documents.Count);
        Assert.Equal("a", documents[0].Name);
        Assert.Equal("c", documents[2].Name);
        var broken = documents[1];
        Assert.Null(broken.Object);
        Assert.Null(broken.Name);
        Assert.Equal((4, 6), (broken.StartLine, broken.EndLine));
        Assert.Equal("upstreams/u.yaml", broken.Error!.Source);
        Assert.Equal(ConfigKind.Upstream, broken.Error.Kind);
        Assert.InRange(broken.Error.Line!.Value, 5, 7);
        Assert.StartsWith("invalid YAML: ", broken.Error.Message);
    }

    [Theory]
    [InlineData("name: a\n  type: static\n", 2)]
    [InlineData("name: a\ntype: [static\n", 2)]
    [InlineData("name: a\n\ttype: static\n", 2)]
    [InlineData("name: a\ntype: static\nname: b\n", 3)]
    [InlineData("name: a\ntype: *missing\n", 2)]
    [InlineData("{\"name\": \"a\", \"type\": }\n}\n", 2)]
    public void BadYaml_IsAnErrorDocument_WithPosition(string text, int line)
    {
        var document = Assert.Single(ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "u.yaml"));

        Assert.Null(document.Object);
        Assert.Equal("u.yaml", document.Error!.Source);
        Assert.Equal(line, document.Error.Line);
        Assert.NotNull(document.Error.Column);
        Assert.Equal(1, document.StartLine);
    }

    [Fact]
    public void DuplicateKey_NamesTheKey()
    {
        var error = Decode.Error("name: a\ntype: static\nspec:\n  port: 1\n  port: 2\n", ConfigKind.Upstream);

        Assert.Equal($"{Decode.UpstreamSource}:5:3: duplicate key 'port'", error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# just a comment\n")]
    [InlineData("---\n# comment\n---\n...\n")]
    public void EmptyDocuments_AreSkipped(string text)
    {
        Assert.Empty(ConfigCodec.ReadDocuments(text, ConfigKind.VirtualService, "v.yaml"));
    }

    [Fact]
    public void Handles_CrLf_Bom_DocumentEndMarkers_AndDirectives()
    {
        var text = "\uFEFFname: a\r\ntype: static\r\n...\r\n%YAML 1.2\r\n---\r\nname: b\r\ntype: static\r\n";

        var documents = ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "u.yaml");

        Assert.Equal(["a", "b"], documents.Select(d => d.Object!.Name));
        Assert.Equal([(1, 2), (6, 7)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Fact]
    public void DocumentOnTheMarkerLine_StartsThere()
    {
        var documents = ConfigCodec.ReadDocuments("--- {name: a, type: static}\n--- {name: b, type: static}\n", ConfigKind.Upstream, "u.yaml");

        Assert.Equal([(1, 1), (2, 2)], documents.Select(d => (d.StartLine, d.EndLine)));
    }

    [Fact]
    public void MarkerInsideBlockScalar_EndsTheDocument_AsYamlSays()
    {
        var text = Decode.Lines("name: a", "type: static", "spec:", "  script: |", "    echo", "---", "name: b", "type: static");

        var documents = ConfigCodec.ReadDocuments(text, ConfigKind.Upstream, "u.yaml");

        Assert.Equal(["a", "b"], documents.Select(d => d.Name));
        Assert.Equal("echo\n", ((Upstream)documents[0].Object!).Spec.Root.GetProperty("script").GetString());
    }

    [Fact]
    public void DeepNesting_IsRefused_NotAStackOverflow()
    {
        var text = "name: a\ntype: static\nspec: " + new string('[', 5000) + new string(']', 5000) + "\n";

        var error = Decode.Error(text, ConfigKind.Upstream);

        Assert.Contains("nested deeper than", error.Message);
    }
}
