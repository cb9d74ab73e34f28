using Sluice.Discovery;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;
using YamlDotNet.RepresentationModel;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// Every OpenAPI document of the shared test data (Swagger 2.0 and OpenAPI 3.0, JSON and YAML),
/// served by a real Kestrel backend at one of the probe paths, found and turned into functions.
/// The expected functions are read from the document independently (YamlDotNet, which reads JSON
/// too): one per operation, named by operationId or method and path, with its method, its path
/// (base path included, path parameters as template variables) and its query and header parameters.
/// </summary>
public sealed class OpenApiDiscoveryTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch"];

    public static TheoryData<string, string> Documents()
    {
        var data = new TheoryData<string, string>();
        var files = Directory.GetFiles(Discover.TestData("openapi")).Where(f => f.EndsWith(".json") || f.EndsWith(".yaml")).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < files.Count; i++)
        {
            // Each document at a different probe path, so every path in the list is exercised.
            var probe = DiscoveryOptions.DefaultProbePaths[(i * 3 + 5) % DiscoveryOptions.DefaultProbePaths.Count];
            data.Add(Path.GetFileName(files[i]), probe);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Document_served_at_a_probe_path_becomes_one_function_per_operation(string file, string probePath)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Discover.TestData("openapi"), file));
        await using var backend = await DocumentBackend.StartAsync();
        backend.Serve(probePath, bytes, file.EndsWith(".yaml") ? "application/yaml" : "application/json");
        var store = new InMemoryStore();
        store.Set([.. TestConfig.Read(Discover.Upstream("api", backend.Port))]);

        var states = await Discover.OnceAsync(store);

        Assert.Equal("found", Assert.Single(states).State);
        var record = await Discover.RecordAsync(store, "api");
        Assert.Equal($"{backend.Address}{probePath}", record.Source);
        Assert.Equal("REST", record.ServiceInfo?.Type);
        var expected = ExpectedOperations(bytes);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), record.Functions.Select(f => f.Name));
        foreach (var function in record.Functions)
        {
            var (method, path, query, headers) = expected[function.Name];
            Assert.Equal(method, Discover.Header(function, ":method"));
            var template = Discover.Get(function, "path");
            Assert.StartsWith(path, template);
            foreach (var (name, required) in query)
            {
                Assert.Contains(required ? $"{name}={{{{ {name} }}}}" : $"{name}={{{{ default({name}, \"\") }}}}", template);
            }
            foreach (var name in headers)
            {
                Assert.Contains(name.ToLowerInvariant(), function.Spec.Root.GetProperty("headers").EnumerateObject().Select(p => p.Name));
            }
            Assert.Equal(record.Source, function.Discovered?.Source);
        }
        Assert.Empty(record.Problems);
    }

    /// <summary>name → method, path template prefix, query parameters (name, required), header parameter names.</summary>
    private static Dictionary<string, (string Method, string Path, List<(string, bool)> Query, List<string> Headers)> ExpectedOperations(byte[] bytes)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(System.Text.Encoding.UTF8.GetString(bytes)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string? Scalar(YamlNode? node, string key) =>
            node is YamlMappingNode map && map.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
        var basePath = Scalar(root, "basePath") ?? "";
        if (root.Children.TryGetValue("servers", out var servers) && servers is YamlSequenceNode { Children.Count: > 0 } list)
        {
            var url = Scalar(list.Children[0], "url")!;
            basePath = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
        }
        basePath = basePath.TrimEnd('/');
        var result = new Dictionary<string, (string, string, List<(string, bool)>, List<string>)>();
        foreach (var (pathNode, itemNode) in ((YamlMappingNode)root.Children["paths"]).Children)
        {
            var path = ((YamlScalarNode)pathNode).Value!;
            var item = (YamlMappingNode)itemNode;
            foreach (var method in Methods.Where(m => item.Children.ContainsKey(m)))
            {
                var operation = (YamlMappingNode)item.Children[method];
                var name = Scalar(operation, "operationId")
                    ?? method + path.Replace('/', '.').Replace("{", "").Replace("}", "").TrimEnd('.');
                var template = basePath + System.Text.RegularExpressions.Regex.Replace(path, "{([^}]+)}", "{{ $1 }}");
                var query = new List<(string, bool)>();
                var headers = new List<string>();
                var parameters = new[] { item, operation }
                    .Where(n => n.Children.ContainsKey("parameters"))
                    .SelectMany(n => ((YamlSequenceNode)n.Children["parameters"]).Children);
                foreach (var parameter in parameters)
                {
                    var pname = Scalar(parameter, "name")!;
                    switch (Scalar(parameter, "in"))
                    {
                        case "query":
                            query.Add((pname, Scalar(parameter, "required") == "true"));
                            break;
                        case "header":
                            headers.Add(pname);
                            break;
                    }
                }
                result[name] = (method.ToUpperInvariant(), template, query, headers);
            }
        }
        return result;
    }
}
