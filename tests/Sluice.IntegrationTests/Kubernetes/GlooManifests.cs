using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>Gloo 0.x custom resources as a user writes them (kubectl YAML), turned into the JSON the API server stores.</summary>
internal static class GlooManifests
{
    public const string Namespace = "gloo-system";

    public static JsonObject Read(string yaml)
    {
        var tree = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(yaml);
        return JsonNode.Parse(JsonSerializer.Serialize(tree))!.AsObject();
    }

    /// <summary>A Gloo 0.x static upstream (0.x called the type <c>service</c>) to 127.0.0.1:<paramref name="port"/>.</summary>
    public static JsonObject Upstream(string name, int port) => Read($"""
        apiVersion: gloo.solo.io/v1
        kind: Upstream
        metadata:
          name: {name}
          namespace: {Namespace}
        spec:
          type: service
          spec:
            hosts:
            - addr: 127.0.0.1
              port: {port}
        """);

    public static JsonObject VirtualService(string name, string prefix, string upstream) => Read($"""
        apiVersion: gloo.solo.io/v1
        kind: VirtualService
        metadata:
          name: {name}
          namespace: {Namespace}
        spec:
          domains:
          - '*'
          routes:
          - request_matcher:
              path_prefix: {prefix}
            single_destination:
              upstream:
                name: {upstream}
        """);
}
