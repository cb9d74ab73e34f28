using System.Text.Json;
using Sluice.Api;

namespace Sluice.Tests.Api;

/// <summary>Free-form parts follow the YAML 1.2 core schema; quoted scalars stay strings.</summary>
public sealed class StructReadTests
{
    [Theory]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("+7", "7")]
    [InlineData("007", "7")]
    [InlineData("0x1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData("1.5", "1.5")]
    [InlineData(".5", "0.5")]
    [InlineData("1.", "1")]
    [InlineData("-1.5e3", "-1.5e3")]
    [InlineData("5000000000", "5000000000")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("true", "true")]
    [InlineData("False", "false")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("", "null")]
    [InlineData("'42'", "\"42\"")]
    [InlineData("\"true\"", "\"true\"")]
    [InlineData("!!str 42", "\"42\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("5s", "\"5s\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("1.2.3", "\"1.2.3\"")]
    [InlineData("[1, a, {b: c}]", "[1,\"a\",{\"b\":\"c\"}]")]
    [InlineData("{Mixed-Case: 1, '2': two, 3: three}", "{\"Mixed-Case\":1,\"2\":\"two\",\"3\":\"three\"}")]
    public void Maps_Scalars_ByCoreSchema(string yaml, string json)
    {
        var upstream = Decode.Upstream($"name: a\ntype: static\nspec:\n  v: {yaml}\n");

        Assert.Equal(json, upstream.Spec.Root.GetProperty("v").GetRawText());
    }

    [Fact]
    public void Keeps_BlockScalars_AsStrings()
    {
        var upstream = Decode.Upstream(Decode.Lines(
            "name: a",
            "type: static",
            "functions:",
            "- name: f",
            "  spec:",
            "    body: |",
            "      {\"id\": {{id}}}",
            "      # not a comment",
            "    folded: >-",
            "      one",
            "      two"));

        var spec = upstream.Functions[0].Spec.Root;
        Assert.Equal("{\"id\": {{id}}}\n# not a comment\n", spec.GetProperty("body").GetString());
        Assert.Equal("one two", spec.GetProperty("folded").GetString());
    }

    [Fact]
    public void Expands_Aliases()
    {
        var service = Decode.Service(Decode.Lines(
            "name: a",
            "routes:",
            "- request_matcher: { path_prefix: /a }",
            "  extensions: &common { timeout: 1000, max_retries: 2 }",
            "- request_matcher: { path_prefix: /b }",
            "  extensions: *common"));

        Assert.Equal(service.Routes[0].Extensions, service.Routes[1].Extensions);
        Assert.Equal(2, service.Routes[1].Extensions.Root.GetProperty("max_retries").GetInt32());
    }

    [Fact]
    public void Rejects_AliasBomb()
    {
        var lines = new List<string> { "name: a", "type: static", "spec:", "  l0: &l0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 8; i++)
        {
            var previous = $"*l{i - 1}";
            lines.Add($"  l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat(previous, 10))}]");
        }

        var error = Decode.Error(Decode.Lines([.. lines]), ConfigKind.Upstream);

        Assert.Contains("document too large", error.Message);
    }

    [Fact]
    public void Struct_EqualsByContent()
    {
        var a = Decode.Upstream("name: a\ntype: static\nspec: {x: 1, y: [true]}\n");
        var b = Decode.Upstream("{\"name\": \"a\", \"type\": \"static\", \"spec\": {\"x\": 1, \"y\": [true]}}");

        Assert.Equal(a, b);
        Assert.Equal(JsonValueKind.True, b.Spec.Root.GetProperty("y")[0].ValueKind);
    }
}
