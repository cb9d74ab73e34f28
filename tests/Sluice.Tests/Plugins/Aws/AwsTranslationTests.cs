using Sluice.Api;
using Sluice.Plugins.Aws;
using Sluice.Tests.Translation;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins.Aws;

public sealed class AwsTranslationTests
{
    private static readonly Dictionary<string, ValueMap> Secrets = new()
    {
        ["aws-creds"] = new ValueMap([new("access_key", "AKIDEXAMPLE"), new("secret_key", "secret")]),
        ["aws-temp"] = new ValueMap([new("access_key", "AKIDEXAMPLE"), new("secret_key", "secret"), new("session_token", "tok")]),
        ["no-secret-key"] = new ValueMap([new("access_key", "AKIDEXAMPLE")]),
        ["no-keys"] = new ValueMap([new("other", "x")]),
    };

    private static Sluice.Translation.TranslationResult TranslateAws(string yaml) =>
        Translate(TranslatorHarness.Snapshot(yaml) with { Secrets = Secrets });

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("eu-south-2")]
    [InlineData("ap-southeast-4")]
    [InlineData("us-gov-west-1")]
    [InlineData("il-central-1")]
    public void Any_well_formed_region_is_accepted(string region)
    {
        var result = TranslateAws($"name: lambda\ntype: aws\nspec: {{ region: {region}, secret_ref: aws-creds }}\nfunctions: [{{ name: f, spec: {{ function_name: f }} }}]\n");
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "lambda").State);
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Equal($"lambda.{region}.amazonaws.com", cluster.Endpoints[0].Host);
        Assert.Equal(443, cluster.Endpoints[0].Port);
        Assert.True(cluster.UseTls);
        Assert.Equal($"lambda.{region}.amazonaws.com", cluster.TlsServerName);
        var invoker = Assert.IsType<LambdaInvokerSpec>(cluster.Functions[0].Invoker);
        Assert.Equal(region, invoker.Upstream.Region);
    }

    [Fact]
    public void Endpoint_override_and_session_token_are_read()
    {
        var result = TranslateAws("""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws-temp, endpoint: "http://127.0.0.1:9001", max_request_bytes: 1024 }
            functions: [{ name: f, spec: { function_name: my-fn, qualifier: prod } }]
            """);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "lambda").State);
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.False(cluster.UseTls);
        var spec = Assert.IsType<LambdaInvokerSpec>(cluster.Functions[0].Invoker);
        Assert.Equal(new Uri("http://127.0.0.1:9001"), spec.Upstream.Endpoint);
        Assert.Equal("tok", spec.Upstream.Credentials.SessionToken);
        Assert.Equal(1024, spec.Upstream.MaxRequestBytes);
        Assert.Equal(("my-fn", "prod"), (spec.FunctionName, spec.Qualifier));
        Assert.DoesNotContain("secret", spec.ToString());
    }

    [Theory]
    [InlineData("spec: { secret_ref: aws-creds }", "spec.region: is required")]
    [InlineData("spec: { region: mars-1, secret_ref: aws-creds }", "spec.region: 'mars-1' is not a well-formed AWS region")]
    [InlineData("spec: { region: US-EAST-1, secret_ref: aws-creds }", "spec.region: 'US-EAST-1' is not a well-formed AWS region")]
    [InlineData("spec: { region: us-east-1 }", "spec.secret_ref: missing secret reference")]
    [InlineData("spec: { region: us-east-1, secret_ref: nowhere }", "spec.secret_ref: aws secrets for ref 'nowhere' not found")]
    [InlineData("spec: { region: us-east-1, secret_ref: no-secret-key }", "spec.secret_ref: key secret_key missing from secret 'no-secret-key'")]
    [InlineData("spec: { region: us-east-1, secret_ref: no-keys }", "spec.secret_ref: key access_key missing from secret 'no-keys'")]
    [InlineData("spec: { region: us-east-1, secret_ref: aws-creds, endpoint: 'ftp://x' }", "spec.endpoint: 'ftp://x' must be an absolute http or https URL")]
    [InlineData("spec: { region: us-east-1, secret_ref: aws-creds, endpoint: 'http://x/path' }", "spec.endpoint: 'http://x/path' must be an absolute http or https URL")]
    [InlineData("spec: { region: us-east-1, secret_ref: aws-creds }\nfunctions: [{ name: f, spec: {} }]", "functions[0] (f): spec.function_name: is required")]
    [InlineData("spec: { region: us-east-1, secret_ref: aws-creds }\nfunctions: [{ name: f, spec: { function_name: 'a/b' } }]", "spec.function_name: 'a/b' is not a Lambda function name or ARN")]
    [InlineData("spec: { region: us-east-1, secret_ref: aws-creds }\nfunctions: [{ name: f, spec: { function_name: f, qualifier: 'v 1' } }]", "spec.qualifier: 'v 1' is not a version or alias")]
    public void Invalid_aws_upstreams_are_rejected_with_the_field_named(string body, string expected)
    {
        var result = TranslateAws($"name: lambda\ntype: aws\n{body}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "lambda");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
    }

    [Theory]
    [InlineData("{ execution_style: async }", true, false, false)]
    [InlineData("{ execution_style: sync, unwrap_as_api_gateway: true }", false, true, false)]
    [InlineData("{ request_as_api_gateway: true, unwrap_as_api_gateway: true }", false, true, true)]
    public void Route_extensions_choose_how_to_call(string extensions, bool isAsync, bool unwrap, bool asEvent)
    {
        var result = TranslateAws(Lambda + $$"""
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { function: { upstream_name: lambda, function_name: f } }
              extensions: {{extensions}}
            """);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.VirtualService, "default").State);
        var route = result.Plan.VirtualHosts[0].Routes[0];
        Assert.Equal(new LambdaRouteOptions(isAsync, unwrap, asEvent), route.Data.Get<LambdaRouteOptions>());
    }

    [Fact]
    public void Unknown_execution_style_rejects_the_route_with_gloos_message()
    {
        var result = TranslateAws(Lambda + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { function: { upstream_name: lambda, function_name: f } }
              extensions: { execution_style: later }
            """);
        var status = result.StatusOf(ConfigKind.VirtualService, "default");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains("extensions.execution_style: invalid execution style provided. must be one of: sync|async, you gave: later", status.Reason);
    }

    private const string Lambda = """
        name: lambda
        type: aws
        spec: { region: us-east-1, secret_ref: aws-creds }
        functions: [{ name: f, spec: { function_name: f } }]
        ---

        """;
}
