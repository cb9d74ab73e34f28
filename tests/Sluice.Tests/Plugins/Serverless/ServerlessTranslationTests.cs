using Sluice.Api;
using Sluice.Plugins.Serverless;
using Sluice.Tests.Translation;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins.Serverless;

/// <summary>Azure, Google Cloud and OpenFaaS/Fission/Fn functions: what they compile to, and every refusal.</summary>
public sealed class ServerlessTranslationTests
{
    private static readonly Dictionary<string, ValueMap> Secrets = new()
    {
        ["azure-keys"] = new ValueMap([new("_master", "master"), new("hello", "hello-key")]),
        ["azure-no-master"] = new ValueMap([new("hello", "hello-key")]),
    };

    private static Sluice.Translation.TranslationResult TranslateWithSecrets(string yaml) =>
        Translate(TranslatorHarness.Snapshot(yaml) with { Secrets = Secrets });

    [Theory]
    [InlineData("{ function_name: hello }", null)]
    [InlineData("{ function_name: hello, auth_level: anonymous }", null)]
    [InlineData("{ function_name: hello, auth_level: function }", "hello-key")]
    [InlineData("{ function_name: other, auth_level: function }", "master")]
    [InlineData("{ function_name: hello, auth_level: admin }", "master")]
    public void Azure_functions_take_the_key_their_auth_level_needs(string spec, string? key)
    {
        var result = TranslateWithSecrets($"name: az\ntype: azure\nspec: {{ function_app_name: My-App, secret_ref: azure-keys }}\nfunctions: [{{ name: f, spec: {spec} }}]\n");
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "az"));
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Equal(("my-app.azurewebsites.net", 443), (cluster.Endpoints[0].Host, cluster.Endpoints[0].Port));
        Assert.True(cluster.UseTls);
        var function = Assert.IsType<PathRewriteSpec>(cluster.Functions[0].Invoker);
        Assert.StartsWith("/api/", function.Path);
        Assert.Equal(key, function.HeaderValue);
        Assert.Equal(key is null ? null : "x-functions-key", function.HeaderName);
        if (key is not null)
        {
            // The plan dump prints invoker specs; the key must not be in it.
            Assert.DoesNotContain(key, function.ToString());
        }
    }

    [Fact]
    public void Google_function_compiles_to_its_url_path_and_host()
    {
        var result = Translate("""
            name: gcf
            type: google
            spec: { region: europe-west4, project_id: my-project }
            functions: [{ name: f, spec: { url: "https://europe-west4-my-project.cloudfunctions.net/hello" } }]
            """);
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "gcf"));
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Equal("europe-west4-my-project.cloudfunctions.net", cluster.TlsServerName);
        Assert.Equal(new PathRewriteSpec("/hello") { Host = "europe-west4-my-project.cloudfunctions.net" }, cluster.Functions[0].Invoker);
    }

    [Theory]
    [InlineData("openfaas", "{ name: figlet }", "/function/figlet")]
    [InlineData("openfaas", "{ name: f, spec: { function_name: figlet } }", "/function/figlet")]
    [InlineData("fission", "{ name: hello }", "/fission-function/hello")]
    [InlineData("fn", "{ name: hello, spec: { app: myapp } }", "/r/myapp/hello")]
    [InlineData("fn", "{ name: f, spec: { app: myapp, route: /a/b } }", "/r/myapp/a/b")]
    public void Faas_functions_compile_to_their_url_shape(string kind, string function, string path)
    {
        var result = Translate($"name: gw\ntype: static\nspec: {{ hosts: [{{ addr: 10.0.0.1, port: 8080 }}] }}\nservice_info: {{ type: {kind} }}\nfunctions: [{function}]\n");
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "gw"));
        Assert.Equal(new PathRewriteSpec(path) { Method = "POST" }, result.Plan.Clusters[0].Functions[0].Invoker);
    }

    [Theory]
    [InlineData("type: azure\nspec: {}", "spec.function_app_name: is required")]
    [InlineData("type: azure\nspec: { function_app_name: 'my app' }", "spec.function_app_name: 'my app' is not a function app name")]
    [InlineData("type: azure\nspec: { function_app_name: app, secret_ref: nowhere }", "spec.secret_ref: secret 'nowhere' not found")]
    [InlineData("type: azure\nspec: { function_app_name: app, endpoint: 'localhost:7071' }", "spec.endpoint: 'localhost:7071' must be an absolute http or https URL")]
    [InlineData("type: azure\nspec: { function_app_name: app }\nfunctions: [{ name: f, spec: {} }]", "functions[0] (f): spec.function_name: is required")]
    [InlineData("type: azure\nspec: { function_app_name: app }\nfunctions: [{ name: f, spec: { function_name: f, auth_level: user } }]", "spec.auth_level: must be one of anonymous, function, admin; got 'user'")]
    [InlineData("type: azure\nspec: { function_app_name: app }\nfunctions: [{ name: f, spec: { function_name: f, auth_level: function } }]", "spec.auth_level: needs a key, but the upstream has no spec.secret_ref")]
    [InlineData("type: azure\nspec: { function_app_name: app, secret_ref: azure-no-master }\nfunctions: [{ name: f, spec: { function_name: f, auth_level: function } }]", "secret not found for key names [f, _master] in secret 'azure-no-master'")]
    [InlineData("type: azure\nspec: { function_app_name: app, secret_ref: azure-no-master }\nfunctions: [{ name: f, spec: { function_name: hello, auth_level: admin } }]", "secret not found for key names [_master]")]
    [InlineData("type: google\nspec: { project_id: my-project }", "spec.region: is required")]
    [InlineData("type: google\nspec: { region: Central, project_id: my-project }", "spec.region: 'Central' is not a well-formed Google Cloud region")]
    [InlineData("type: google\nspec: { region: us-central1 }", "spec.project_id: is required")]
    [InlineData("type: google\nspec: { region: us-central1, project_id: X }", "spec.project_id: 'X' is not a project id")]
    [InlineData("type: google\nspec: { region: us-central1, project_id: my-project }\nfunctions: [{ name: f, spec: {} }]", "functions[0] (f): spec.url: is required")]
    [InlineData("type: google\nspec: { region: us-central1, project_id: my-project }\nfunctions: [{ name: f, spec: { url: 'http://us-central1-my-project.cloudfunctions.net/f' } }]", "is not an https trigger URL")]
    [InlineData("type: google\nspec: { region: us-central1, project_id: my-project }\nfunctions: [{ name: f, spec: { url: 'https://elsewhere.example.com/f' } }]", "spec.url: host 'elsewhere.example.com' is not this upstream's host 'us-central1-my-project.cloudfunctions.net'")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\nservice_info: { type: fn }\nfunctions: [{ name: f }]", "functions[0] (f): spec.app: is required for Fn functions")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\nservice_info: { type: fn }\nfunctions: [{ name: f, spec: { app: a, route: 'no-slash' } }]", "spec.route: 'no-slash' is not an Fn route")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\nservice_info: { type: openfaas }\nfunctions: [{ name: f, spec: { function_name: 'a/b' } }]", "spec.function_name: 'a/b' is not a function name")]
    public void Invalid_function_upstreams_are_rejected_with_the_field_named(string body, string expected)
    {
        var result = TranslateWithSecrets($"name: up\n{body}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "up");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }
}
