using System.Text.Json;
using Json.Schema;
using Sluice.Api;
using Sluice.Api.Codec;
using Sluice.Cli.Commands;

namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// The JSON Schema in <c>schema/</c>: generated from the codec's shapes (never by hand), current,
/// accepting every example the codec accepts, and naming the field of a broken one
/// (checked with JsonSchema.Net, a validator editors' engines agree with).
/// </summary>
public sealed class SchemaTests
{
    // Built once: a schema's $id is registered globally, and registering it twice is refused.
    private static readonly Dictionary<ConfigKind, JsonSchema> Schemas = ConfigKinds.All.ToDictionary(k => k, k => JsonSchema.FromText(SchemaCommand.Text(k)));

    [Theory]
    [InlineData(ConfigKind.Upstream)]
    [InlineData(ConfigKind.VirtualService)]
    public void The_committed_schema_is_the_generated_one(ConfigKind kind)
    {
        var path = Path.Combine(ValidateCommandTests.RepositoryRoot(), "schema", SchemaCommand.FileName(kind));
        Assert.True(File.Exists(path), $"{path} is missing: run `sluice schema --out schema`");
        Assert.True(File.ReadAllText(path) == SchemaCommand.Text(kind), $"{path} is stale: run `sluice schema --out schema` and commit it");
    }

    public static TheoryData<string> ExampleFiles()
    {
        var root = ValidateCommandTests.RepositoryRoot();
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "examples"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Where(f => Kind(f) is not null)
            .Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        }
        return files;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_validates(string file)
    {
        var path = Path.Combine(ValidateCommandTests.RepositoryRoot(), file);
        var kind = Kind(path)!.Value;
        var schema = Schemas[kind];
        var documents = Documents(File.ReadAllText(path), file);
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(results.IsValid, $"{file}: {Describe(results)}");
        }
        // And the codec agrees: the schema describes what the codec reads.
        Assert.All(ConfigCodec.ReadDocuments(File.ReadAllText(path), kind, file), d => Assert.Null(d.Error));
    }

    [Fact]
    public void A_broken_file_is_rejected_naming_the_field()
    {
        var upstream = Schemas[ConfigKind.Upstream];
        var misspelt = Evaluate(upstream, "name: petstore\ntype: static\nconection_timeout: 5s\n");
        Assert.False(misspelt.IsValid);
        Assert.Contains("/conection_timeout", Locations(misspelt));

        var badDuration = Evaluate(upstream, "name: petstore\ntype: static\nconnection_timeout: five seconds\n");
        Assert.False(badDuration.IsValid);
        Assert.Contains("/connection_timeout", Locations(badDuration));

        var badName = Evaluate(upstream, "name: Pet_Store\ntype: static\n");
        Assert.Contains("/name", Locations(badName));
        Assert.Contains("", Locations(Evaluate(upstream, "name: petstore\n")));

        var vs = Schemas[ConfigKind.VirtualService];
        var twoPaths = Evaluate(vs, "name: shop\nroutes:\n- request_matcher: {path_prefix: /, path_exact: /a}\n  single_destination: {upstream: {name: x}}\n");
        Assert.False(twoPaths.IsValid);
        Assert.Contains("/routes/0/request_matcher", Locations(twoPaths));
        var badVerbs = Evaluate(vs, "name: shop\nroutes:\n- request_matcher: {verbs: GET}\n");
        Assert.Contains("/routes/0/request_matcher/verbs", Locations(badVerbs));
        // Gloo's leniencies are accepted, as the codec accepts them.
        Assert.True(Evaluate(upstream, "name: petstore\ntype: {value: static}\nconnection_timeout: 5000000000\nuse_http2: ~\n").IsValid);
    }

    [Fact]
    public async Task Sluice_schema_prints_the_schema()
    {
        var run = (await CliProcess.RunAsync("schema", "virtualservice")).AssertExit(0);
        Assert.Equal(SchemaCommand.Text(ConfigKind.VirtualService), run.Out);
        (await CliProcess.RunAsync("schema")).AssertExit(1);
    }

    private static EvaluationResults Evaluate(JsonSchema schema, string yaml) =>
        schema.Evaluate(Documents(yaml, "test").Single(), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static List<string> Locations(EvaluationResults results) =>
        [.. (results.Details ?? []).Where(d => !d.IsValid).Select(d => d.InstanceLocation.ToString())];

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));

    /// <summary>Each YAML document as JSON, with the scalar types YAML gives them (the codec's own conversion).</summary>
    private static List<JsonElement> Documents(string text, string source) =>
        [.. YamlLoader.Load(text, source).Where(d => d.Root is not null).Select(d => StructReader.Read(new ReadContext(source, null), (MappingNode)d.Root!).Root)];

    private static ConfigKind? Kind(string path)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(path));
        return folder switch
        {
            "upstreams" => ConfigKind.Upstream,
            "virtualservices" => ConfigKind.VirtualService,
            _ => null,
        };
    }
}
