using Sluice.Api;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Translation;

public sealed class UpstreamTranslationTests
{
    [Theory]
    [InlineData("hosts: [{ addr: 10.0.0.1, port: 80 }]", false, false, null)]
    [InlineData("hosts: [{ addr: 10.0.0.1, port: 443 }]", true, false, null)]
    [InlineData("hosts: [{ addr: api.example.com, port: 443 }]", true, true, "api.example.com")]
    [InlineData("hosts: [{ addr: api.example.com, port: 443 }], tls: false", false, true, "api.example.com")]
    [InlineData("hosts: [{ addr: 10.0.0.1, port: 8443 }], tls: { value: true }", true, false, null)]
    [InlineData("hosts: [{ addr: '::1', port: 8080 }]", false, false, null)]
    [InlineData("hosts: [{ addr: '[2001:db8::1]', port: 8080 }], enable_ipv6: true", false, false, null)]
    public void Static_upstream_builds_its_cluster(string spec, bool tls, bool autoHostRewrite, string? sni)
    {
        var result = Translate($"name: up\ntype: static\nspec: {{ {spec} }}\n");
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "up"));
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Equal(tls, cluster.UseTls);
        Assert.Equal(autoHostRewrite, cluster.AutoHostRewrite);
        Assert.Equal(sni, cluster.TlsServerName);
    }

    [Fact]
    public void Service_is_the_gloo_0_2_name_of_static()
    {
        var result = Translate("name: up\ntype: service\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\nconnection_timeout: 250ms\n");
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "up").State);
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.Plan.Clusters[0].ConnectTimeout);
    }

    [Theory]
    [InlineData("type: static\nspec: { hosts: [] }", "spec.hosts: must provide at least 1 host")]
    [InlineData("type: static\nspec: {}", "spec.hosts: must provide at least 1 host")]
    [InlineData("type: static\nspec: { hosts: [{ addr: '', port: 80 }] }", "ip cannot be empty")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1 }] }", "port cannot be empty")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 70000 }] }", "spec.hosts[0].port: must be between 1 and 65535")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 'not a host!', port: 80 }] }", "neither an IP address nor a host name")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }], tls: maybe }", "spec.tls: expected true or false")]
    [InlineData("type: lambda-ish\nspec: {}", "type: unknown upstream type 'lambda-ish' (known: aws, azure, consul, google, kubernetes, service, static)")]
    [InlineData("type: kubernetes\nspec: { service_namespace: default }", "spec.service_name: is required")]
    [InlineData("type: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\nfunctions: [{ name: f }, { name: f }]", "function 'f' is defined more than once")]
    public void Invalid_upstreams_are_rejected_with_the_field_named(string body, string expected)
    {
        var result = Translate($"name: up\n{body}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "up");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(expected, status.Reason);
        Assert.Empty(result.Plan.Clusters);
    }

    [Fact]
    public void Unknown_spec_keys_warn_instead_of_failing()
    {
        var result = Translate("name: up\ntype: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80, weight: 3 }], timout: 5 }\n");
        var status = result.StatusOf(ConfigKind.Upstream, "up");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("spec.timout: unknown field, ignored", status.Reason);
        Assert.Contains("spec.hosts[0].weight: unknown field, ignored", status.Reason);
        Assert.Single(result.Plan.Clusters);
    }

    [Fact]
    public void Kubernetes_upstream_names_its_service_port_as_the_endpoint_feed()
    {
        var result = Translate("name: default-petstore-8080\ntype: kubernetes\nspec: { service_name: petstore, service_namespace: default, service_port: 8080 }\n");
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "default-petstore-8080").State);
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Empty(cluster.Endpoints);
        Assert.Equal(new Sluice.Plugins.Kubernetes.KubernetesServiceFeed("default", "petstore", 8080), cluster.EndpointFeed);
    }

    [Fact]
    public void Kubernetes_upstream_with_pod_labels_warns_that_they_are_not_applied()
    {
        var result = Translate("name: v1\ntype: kubernetes\nspec: { service_name: petstore, service_namespace: default, labels: { version: v1 } }\n");
        var status = result.StatusOf(ConfigKind.Upstream, "v1");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("spec.labels: pod label subsets are not applied", status.Reason);
        Assert.Equal(new Sluice.Plugins.Kubernetes.KubernetesServiceFeed("default", "petstore", null), Assert.Single(result.Plan.Clusters).EndpointFeed);
    }

    [Fact]
    public void Traffic_policies_are_read()
    {
        var result = Translate("""
            name: up
            type: static
            spec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }
            load_balancer: { policy: least_request }
            health_checks:
            - interval: 5s
              timeout: 1s
              unhealthy_threshold: 4
              http_health_check: { path: /healthz, expected_statuses: [{ start: 200, end: 205 }] }
            """);
        Assert.Equal(StatusState.Accepted, result.StatusOf(ConfigKind.Upstream, "up").State);
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.Equal(Sluice.Plan.LoadBalancingPolicy.LeastRequest, cluster.LoadBalancing);
        Assert.Equal(("/healthz", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), 4, 2), (cluster.HealthCheck!.Path, cluster.HealthCheck.Interval, cluster.HealthCheck.Timeout, cluster.HealthCheck.UnhealthyThreshold, cluster.HealthCheck.HealthyThreshold));
        Assert.Equal((200, 204), Assert.Single(cluster.HealthCheck.ExpectedStatuses));
    }

    [Fact]
    public void Circuit_breakers_are_read()
    {
        var result = Translate("name: up\ntype: static\nspec: { hosts: [{ addr: 10.0.0.1, port: 80 }] }\ncircuit_breakers: { max_connections: 4, max_pending_requests: 8, max_requests: 100, max_retries: 3 }\n");
        Assert.Equal(
            new Sluice.Plan.CircuitBreakerPlan { MaxConnections = 4, MaxPendingRequests = 8, MaxRequests = 100, MaxRetries = 3 },
            Assert.Single(result.Plan.Clusters).CircuitBreakers);
    }

    [Theory]
    [InlineData("load_balancer: { policy: fastest }", StatusState.Rejected, "load_balancer.policy: unknown policy 'fastest'")]
    [InlineData("health_checks: [{ interval: 1s }]", StatusState.Rejected, "health_checks[0].http_health_check.path: is required")]
    [InlineData("health_checks: [{ interval: 1s, timeout: 2s, http_health_check: { path: /h } }]", StatusState.Rejected, "health_checks[0].timeout: must be greater than zero and at most the interval")]
    [InlineData("health_checks: [{ http_health_check: { path: h } }]", StatusState.Rejected, "'h' must start with '/'")]
    [InlineData("outlier_detection: { base_ejection_time: 0s }", StatusState.Rejected, "outlier_detection.base_ejection_time: must be greater than zero")]
    [InlineData("outlier_detection: { max_ejection_percent: 101 }", StatusState.Rejected, "outlier_detection.max_ejection_percent: must be between 0 and 100")]
    [InlineData("circuit_breakers: { max_pending_requests: 5 }", StatusState.Rejected, "circuit_breakers.max_pending_requests: needs max_connections")]
    [InlineData("circuit_breakers: { max_requests: 0 }", StatusState.Rejected, "circuit_breakers.max_requests: must be between 1 and 1000000")]
    [InlineData("circuit_breakers: { max_request: 5 }", StatusState.Warning, "circuit_breakers.max_request: unknown field")]
    public void Traffic_policy_errors_and_warnings(string field, StatusState state, string expected)
    {
        var result = Translate($"name: up\ntype: static\nspec: {{ hosts: [{{ addr: 10.0.0.1, port: 80 }}] }}\n{field}\n");
        var status = result.StatusOf(ConfigKind.Upstream, "up");
        Assert.Equal(state, status.State);
        Assert.Contains(expected, status.Reason);
    }
}
