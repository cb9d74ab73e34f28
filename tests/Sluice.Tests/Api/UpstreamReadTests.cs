using System.Text.Json;
using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class UpstreamReadTests
{
    [Fact]
    public void Reads_EveryField()
    {
        var upstream = Decode.Upstream(Decode.Lines(
            "name: default-petstore-8080",
            "type: kubernetes",
            "connection_timeout: 2s",
            "spec:",
            "  service_name: petstore",
            "  service_namespace: default",
            "  service_port: 8080",
            "functions:",
            "- name: findPetById",
            "  spec:",
            "    path: /api/pets/{id}",
            "    verb: GET",
            "- name: listPets",
            "service_info:",
            "  type: REST",
            "  properties:",
            "    swagger_url: http://petstore/swagger.json",
            "metadata:",
            "  resource_version: \"12\"",
            "  namespace: gloo-system",
            "  annotations:",
            "    gloo.solo.io/discovery: enabled",
            "    owner: team-a",
            "status:",
            "  state: Rejected",
            "  reason: no endpoints"));

        Assert.Equal("default-petstore-8080", upstream.Name);
        Assert.Equal("kubernetes", upstream.Type);
        Assert.Equal(TimeSpan.FromSeconds(2), upstream.ConnectionTimeout);
        Assert.Equal("petstore", upstream.Spec.Root.GetProperty("service_name").GetString());
        Assert.Equal(8080, upstream.Spec.Root.GetProperty("service_port").GetInt32());
        Assert.Equal(2, upstream.Functions.Count);
        Assert.Equal("findPetById", upstream.Functions[0].Name);
        Assert.Equal("/api/pets/{id}", upstream.Functions[0].Spec.Root.GetProperty("path").GetString());
        Assert.Equal("listPets", upstream.Functions[1].Name);
        Assert.True(upstream.Functions[1].Spec.IsEmpty);
        Assert.Equal("REST", upstream.ServiceInfo!.Type);
        Assert.Equal("http://petstore/swagger.json", upstream.ServiceInfo.Properties.Root.GetProperty("swagger_url").GetString());
        Assert.Equal("12", upstream.Metadata.ResourceVersion);
        Assert.Equal("gloo-system", upstream.Metadata.Namespace);
        Assert.Equal(["gloo.solo.io/discovery", "owner"], upstream.Metadata.Annotations.Keys);
        Assert.Equal("team-a", upstream.Metadata.Annotations["owner"]);
        Assert.Equal(new Status(StatusState.Rejected, "no endpoints"), upstream.Status);
    }

    [Fact]
    public void Reads_MinimalUpstream_WithDefaults()
    {
        var upstream = Decode.Upstream("name: website\ntype: static\n");

        Assert.Null(upstream.ConnectionTimeout);
        Assert.True(upstream.Spec.IsEmpty);
        Assert.Empty(upstream.Functions);
        Assert.Null(upstream.ServiceInfo);
        Assert.Equal(Metadata.Empty, upstream.Metadata);
        Assert.Null(upstream.Status);
    }

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("250ms", 250)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5000000000", 5_000)]
    [InlineData("\"5000000000\"", 5_000)]
    [InlineData("{value: 3s}", 3_000)]
    [InlineData("{value: 3000000000}", 3_000)]
    public void Reads_Durations_BothForms(string yaml, int milliseconds)
    {
        var upstream = Decode.Upstream($"name: a\ntype: static\nconnection_timeout: {yaml}\n");

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), upstream.ConnectionTimeout);
    }

    [Theory]
    [InlineData("name: {value: a}\ntype: static\n")]
    [InlineData("name: a\ntype:\n  value: static\n")]
    [InlineData("name: a\ntype: {value: static}\nfunctions:\n- name: {value: f}\n")]
    public void Reads_WrappedScalars(string yaml)
    {
        var upstream = Decode.Upstream(yaml);

        Assert.Equal("a", upstream.Name);
        Assert.Equal("static", upstream.Type);
    }

    [Theory]
    [InlineData("status: {state: Accepted}", StatusState.Accepted, null)]
    [InlineData("status: {state: Warning, reason: 'function f not found'}", StatusState.Warning, "function f not found")]
    [InlineData("status: {state: 2}", StatusState.Rejected, null)]
    [InlineData("status: {}", StatusState.Pending, null)]
    public void Reads_Status(string yaml, StatusState state, string? reason)
    {
        var upstream = Decode.Upstream($"name: a\ntype: static\n{yaml}\n");

        Assert.Equal(new Status(state, reason), upstream.Status);
    }

    [Fact]
    public void Reads_NullFields_AsUnset()
    {
        var upstream = Decode.Upstream("name: a\ntype: static\nconnection_timeout:\nspec: ~\nfunctions: null\nmetadata:\n");

        Assert.Equal(new Upstream { Name = "a", Type = "static" }, upstream);
    }

    [Fact]
    public void Reads_Json()
    {
        const string json = """
            {
              "name": "aws-us-east-1",
              "type": "aws",
              "connection_timeout": "1s",
              "spec": {"region": "us-east-1", "secret_ref": "aws-creds", "retries": 3, "tls": true, "extra": null},
              "functions": [{"name": "hello", "spec": {"function_name": "hello", "qualifier": "$LATEST"}}]
            }
            """;

        var upstream = Decode.Upstream(json);

        Assert.Equal("aws", upstream.Type);
        Assert.Equal(TimeSpan.FromSeconds(1), upstream.ConnectionTimeout);
        Assert.Equal("""{"region":"us-east-1","secret_ref":"aws-creds","retries":3,"tls":true,"extra":null}""", upstream.Spec.ToString());
        Assert.Equal("$LATEST", upstream.Functions[0].Spec.Root.GetProperty("qualifier").GetString());
    }

    [Fact]
    public void Reads_JsonWithTabsAndCrLf()
    {
        var upstream = Decode.Upstream("{\r\n\t\"name\": \"a\",\r\n\t\"type\": \"static\"\r\n}\r\n");

        Assert.Equal("static", upstream.Type);
    }

    [Fact]
    public void Reads_Gloo02ServiceType_Unchanged()
    {
        var upstream = Decode.Upstream("name: legacy\ntype: service\nspec:\n  hosts:\n  - addr: 10.0.0.1\n    port: 80\n");

        Assert.Equal("service", upstream.Type);
        Assert.Equal(JsonValueKind.Array, upstream.Spec.Root.GetProperty("hosts").ValueKind);
    }
}
