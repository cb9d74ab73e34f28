using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// Renders deploy/kubernetes (the default install and each overlay) with the real
/// <c>kubectl kustomize</c> (Debian's kubernetes-client; test.sh installs it, and a missing
/// kubectl fails here) and checks every object against the shape it must have.
/// </summary>
public sealed class KustomizeTests
{
    private static readonly string[] ReadVerbs = ["get", "list", "watch"];
    private static readonly string[] StatusVerbs = ["patch", "update"];
    private static readonly string[] LeaseVerbs = ["get", "create", "update"];

    [Theory]
    [InlineData("", "gloo-system", new[] { "Namespace", "CustomResourceDefinition", "CustomResourceDefinition" })]
    [InlineData("overlays/single-namespace", "sluice", new string[0])]
    [InlineData("overlays/openshift", "gloo-system", new[] { "Namespace", "CustomResourceDefinition", "CustomResourceDefinition", "Route" })]
    [InlineData("overlays/all-namespaces", "gloo-system", new[] { "Namespace", "CustomResourceDefinition", "CustomResourceDefinition", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "ClusterRoleBinding" })]
    public async Task Kustomization_Renders_EveryObjectWellFormed(string directory, string ns, string[] extraKinds)
    {
        var objects = await RenderAsync(directory);

        string[] common = ["Deployment", "Deployment", "PodDisruptionBudget", "Role", "Role", "RoleBinding", "RoleBinding", "RoleBinding", "Service", "ServiceAccount", "ServiceAccount"];
        Assert.Equal([.. common.Concat(extraKinds).Order(StringComparer.Ordinal)], objects.Select(o => Text(o, "kind")).Order(StringComparer.Ordinal));
        foreach (var obj in objects)
        {
            Assert.False(string.IsNullOrEmpty(Text(obj, "apiVersion")), $"{obj.ToJsonString()}: apiVersion");
            Assert.False(string.IsNullOrEmpty(Text(obj, "metadata", "name")), $"{obj.ToJsonString()}: metadata.name");
            var clusterScoped = Text(obj, "kind") is "Namespace" or "CustomResourceDefinition" or "ClusterRole" or "ClusterRoleBinding";
            Assert.Equal(clusterScoped ? null : ns, Text(obj, "metadata", "namespace"));
        }
        foreach (var deployment in objects.Where(o => Text(o, "kind") == "Deployment"))
        {
            CheckDeployment(deployment);
        }
        foreach (var role in objects.Where(o => Text(o, "kind") == "Role"))
        {
            CheckRole(role);
        }
        foreach (var binding in objects.Where(o => Text(o, "kind") == "RoleBinding"))
        {
            Assert.Equal("Role", Text(binding, "roleRef", "kind"));
            Assert.Contains(objects, o => Text(o, "kind") == "Role" && Text(o, "metadata", "name") == Text(binding, "roleRef", "name"));
            foreach (var subject in binding["subjects"]!.AsArray())
            {
                Assert.Equal("ServiceAccount", Text(subject!, "kind"));
                Assert.Equal(ns, Text(subject!, "namespace"));
            }
        }
        foreach (var crd in objects.Where(o => Text(o, "kind") == "CustomResourceDefinition"))
        {
            CheckCrd(crd);
        }
        CheckGatewayAddressing(objects);
    }

    [Fact]
    public async Task AllNamespaces_ClusterRolesGrantWhatTheRolesGrant_AndBothRolesWatchEveryNamespace()
    {
        var objects = await RenderAsync("overlays/all-namespaces");
        var roles = objects.Where(o => Text(o, "kind") == "ClusterRole").ToDictionary(o => Text(o, "metadata", "name")!);
        foreach (var role in roles.Values)
        {
            CheckRole(role);
        }
        IEnumerable<string> VerbsOn(string account, string resource) => objects
            .Where(o => Text(o, "kind") == "ClusterRoleBinding" && o["subjects"]!.AsArray().Any(s => Text(s!, "name") == account && Text(s!, "namespace") == "gloo-system"))
            .SelectMany(b => roles[Text(b, "roleRef", "name")!]["rules"]!.AsArray())
            .Where(rule => rule!["resources"]!.AsArray().Any(r => r!.GetValue<string>() == resource))
            .SelectMany(rule => rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()))
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "upstreams"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "secrets"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "services"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "endpointslices"));
        Assert.Empty(VerbsOn("sluice-gateway", "upstreams/status"));
        Assert.Equal(["patch", "update"], VerbsOn("sluice-controller", "virtualservices/status"));
        Assert.Empty(VerbsOn("sluice-controller", "leases"));
        foreach (var deployment in objects.Where(o => Text(o, "kind") == "Deployment"))
        {
            var args = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>());
            Assert.Contains("--all-namespaces", args);
        }
    }

    [Fact]
    public async Task Rbac_GatewayOnlyReads_ControllerWritesOnlyStatus()
    {
        var objects = await RenderAsync("");
        var roles = objects.Where(o => Text(o, "kind") == "Role").ToDictionary(o => Text(o, "metadata", "name")!);
        var bindings = objects.Where(o => Text(o, "kind") == "RoleBinding").ToList();
        IEnumerable<string> VerbsOn(string account, string resource) => bindings
            .Where(b => b["subjects"]!.AsArray().Any(s => Text(s!, "name") == account))
            .SelectMany(b => roles[Text(b, "roleRef", "name")!]["rules"]!.AsArray())
            .Where(rule => rule!["resources"]!.AsArray().Any(r => r!.GetValue<string>() == resource))
            .SelectMany(rule => rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()))
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "upstreams"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "secrets"));
        // Endpoints of kubernetes upstreams (gateways), Services for upstream discovery (controller).
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "services"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-gateway", "endpointslices"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-controller", "services"));
        Assert.Empty(VerbsOn("sluice-gateway", "upstreams/status"));
        Assert.Equal(["get", "list", "watch"], VerbsOn("sluice-controller", "virtualservices"));
        Assert.Equal(["patch", "update"], VerbsOn("sluice-controller", "virtualservices/status"));
        Assert.Equal(["patch", "update"], VerbsOn("sluice-controller", "upstreams/status"));
        Assert.Equal(["get"], VerbsOn("sluice-gateway", "leases"));
        Assert.Equal(["create", "get", "update"], VerbsOn("sluice-controller", "leases"));
    }

    private static void CheckDeployment(JsonObject deployment)
    {
        var name = Text(deployment, "metadata", "name");
        var role = Text(deployment, "spec", "template", "metadata", "labels", "app.kubernetes.io/component");
        Assert.Contains(role, new[] { "gateway", "controller" });
        var pod = deployment["spec"]!["template"]!["spec"]!.AsObject();
        Assert.Equal($"sluice-{role}", Text(pod, "serviceAccountName"));
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>(), $"{name}: runAsNonRoot");
        // An arbitrary UID (OpenShift): nothing pins one.
        Assert.Null(pod["securityContext"]!["runAsUser"]);
        Assert.Null(pod["securityContext"]!["fsGroup"]);
        if (role == "controller")
        {
            // More than one: they elect a leader on a Lease (the --lease-ttl they are given).
            Assert.True(deployment["spec"]!["replicas"]!.GetValue<int>() >= 2);
        }
        var container = Assert.Single(pod["containers"]!.AsArray())!.AsObject();
        var security = container["securityContext"]!;
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>(), $"{name}: readOnlyRootFilesystem");
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>(), $"{name}: allowPrivilegeEscalation");
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Null(security["runAsUser"]);
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("kubernetes", args[args.IndexOf("--store") + 1]);
        Assert.Equal(role, args[args.IndexOf("--role") + 1]);
        var env = container["env"]!.AsArray().Single(e => Text(e!, "name") == "SLUICE_NAMESPACE")!;
        Assert.Equal("metadata.namespace", Text(env, "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        var mounts = container["volumeMounts"]!.AsArray();
        Assert.Contains(mounts, m => Text(m!, "mountPath") == "/tmp");
    }

    private static void CheckRole(JsonObject role)
    {
        foreach (var rule in role["rules"]!.AsArray())
        {
            var verbs = rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            foreach (var resource in rule["resources"]!.AsArray().Select(r => r!.GetValue<string>()))
            {
                Assert.NotEqual("*", resource);
                // Writes go to status subresources, and to the leader election's Lease.
                var allowed = resource.EndsWith("/status", StringComparison.Ordinal) ? StatusVerbs
                    : resource == "leases" ? LeaseVerbs
                    : ReadVerbs;
                Assert.All(verbs, verb => Assert.Contains(verb, allowed));
            }
        }
    }

    private static void CheckCrd(JsonObject crd)
    {
        Assert.Equal("apiextensions.k8s.io/v1", Text(crd, "apiVersion"));
        Assert.Equal("gloo.solo.io", Text(crd, "spec", "group"));
        Assert.Equal("Namespaced", Text(crd, "spec", "scope"));
        Assert.Equal($"{Text(crd, "spec", "names", "plural")}.gloo.solo.io", Text(crd, "metadata", "name"));
        var version = Assert.Single(crd["spec"]!["versions"]!.AsArray())!;
        Assert.Equal("v1", Text(version, "name"));
        Assert.NotNull(version["subresources"]?["status"]);
        var schema = version["schema"]!["openAPIV3Schema"]!;
        Assert.Equal("object", Text(schema, "type"));
        var spec = schema["properties"]!["spec"]!;
        Assert.Equal("object", Text(spec, "type"));
        Assert.True(spec["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>());
        // Structural: every property names a type, or says it is int-or-string or open.
        CheckStructural(schema, "openAPIV3Schema");
    }

    private static void CheckStructural(JsonNode schema, string path)
    {
        var open = schema["x-kubernetes-preserve-unknown-fields"] is not null || schema["x-kubernetes-int-or-string"] is not null;
        Assert.True(schema["type"] is not null || open, $"{path}: no type");
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            CheckStructural(property!, $"{path}.{name}");
        }
        if (schema["items"] is { } items)
        {
            CheckStructural(items, path + "[]");
        }
    }

    /// <summary>The Service and the disruption budget select exactly the gateway pods.</summary>
    private static void CheckGatewayAddressing(List<JsonObject> objects)
    {
        var gateway = objects.Single(o => Text(o, "kind") == "Deployment" && Text(o, "metadata", "name") == "sluice-gateway");
        var labels = gateway["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        bool Selects(JsonNode selector) => selector.AsObject().All(kv => labels[kv.Key]?.GetValue<string>() == kv.Value!.GetValue<string>());
        Assert.True(Selects(objects.Single(o => Text(o, "kind") == "Service")["spec"]!["selector"]!));
        Assert.True(Selects(objects.Single(o => Text(o, "kind") == "PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!));
        var ports = gateway["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Select(p => Text(p!, "name")).ToList();
        foreach (var port in objects.Single(o => Text(o, "kind") == "Service")["spec"]!["ports"]!.AsArray())
        {
            Assert.Contains(Text(port!, "targetPort"), ports);
        }
    }

    private static async Task<List<JsonObject>> RenderAsync(string directory)
    {
        var kubectl = FindKubectl();
        var yaml = await RepositoryFiles.RunAsync(RepositoryFiles.Root, kubectl, ["kustomize", Path.Combine("deploy", "kubernetes", directory)], TimeSpan.FromMinutes(1));
        var deserializer = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build();
        IParser parser = new Parser(new StringReader(yaml));
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            var tree = deserializer.Deserialize<object>(parser);
            objects.Add(JsonNode.Parse(JsonSerializer.Serialize(tree))!.AsObject());
        }
        return objects;
    }

    private static string FindKubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("kubectl is not installed (Debian package kubernetes-client; test.sh installs it)");

    private static string? Text(JsonNode node, params string[] path)
    {
        JsonNode? current = node;
        foreach (var step in path)
        {
            current = current?[step];
        }
        return current is JsonValue value ? value.ToString() : null;
    }
}
