using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Reads the traffic fields every upstream type shares (Gloo Edge's names): <c>load_balancer</c>,
/// <c>health_checks</c>, <c>outlier_detection</c> and <c>circuit_breakers</c>.
/// </summary>
internal static class TrafficPolicyTranslator
{
    public static ClusterPlan Apply(Upstream upstream, ClusterPlan cluster, Diagnostics diagnostics)
    {
        var policy = ReadPolicy(upstream.LoadBalancer, diagnostics);
        var healthCheck = upstream.HealthChecks.Count switch
        {
            0 => null,
            1 => ReadHealthCheck(upstream.HealthChecks[0], diagnostics),
            _ => ReadFirstOnly(upstream, diagnostics),
        };
        var outliers = upstream.OutlierDetection.IsEmpty ? null : ReadOutlierDetection(upstream.OutlierDetection, diagnostics);
        var breakers = upstream.CircuitBreakers.IsEmpty ? null : ReadCircuitBreakers(upstream.CircuitBreakers, diagnostics);
        return cluster with { LoadBalancing = policy, HealthCheck = healthCheck, CircuitBreakers = breakers, OutlierDetection = outliers };
    }

    private static OutlierDetectionPlan ReadOutlierDetection(Struct config, Diagnostics diagnostics)
    {
        var reader = new SpecReader(config, "outlier_detection", diagnostics);
        var defaults = new OutlierDetectionPlan();
        var plan = new OutlierDetectionPlan
        {
            Consecutive5xx = (int)(reader.Integer("consecutive_5xx", 0, 1000) ?? defaults.Consecutive5xx),
            ConsecutiveConnectFailures = (int)(reader.Integer("consecutive_local_origin_failure", 0, 1000) ?? defaults.ConsecutiveConnectFailures),
            BaseEjectionTime = reader.Duration("base_ejection_time") ?? defaults.BaseEjectionTime,
            MaxEjectionPercent = (int)(reader.Integer("max_ejection_percent", 0, 100) ?? defaults.MaxEjectionPercent),
        };
        reader.WarnUnknownKeys();
        if (plan.BaseEjectionTime <= TimeSpan.Zero)
        {
            diagnostics.Error("outlier_detection.base_ejection_time", "must be greater than zero");
        }
        return plan;
    }

    private static CircuitBreakerPlan ReadCircuitBreakers(Struct config, Diagnostics diagnostics)
    {
        var reader = new SpecReader(config, "circuit_breakers", diagnostics);
        var plan = new CircuitBreakerPlan
        {
            MaxConnections = (int?)reader.Integer("max_connections", 1, 100_000),
            MaxPendingRequests = (int?)reader.Integer("max_pending_requests", 0, 1_000_000),
            MaxRequests = (int?)reader.Integer("max_requests", 1, 1_000_000),
            MaxRetries = (int?)reader.Integer("max_retries", 0, 1_000_000),
        };
        reader.WarnUnknownKeys();
        if (plan.MaxPendingRequests is not null && plan.MaxConnections is null)
        {
            diagnostics.Error("circuit_breakers.max_pending_requests", "needs max_connections (requests are pending only once every connection is busy)");
        }
        return plan;
    }

    private static HealthCheckPlan? ReadFirstOnly(Upstream upstream, Diagnostics diagnostics)
    {
        diagnostics.Warning("health_checks", "only the first health check is used");
        return ReadHealthCheck(upstream.HealthChecks[0], diagnostics);
    }

    private static LoadBalancingPolicy ReadPolicy(Struct config, Diagnostics diagnostics)
    {
        var reader = new SpecReader(config, "load_balancer", diagnostics);
        var name = reader.String("policy");
        reader.WarnUnknownKeys();
        switch (name)
        {
            case null or "round_robin":
                return LoadBalancingPolicy.RoundRobin;
            case "least_request":
                return LoadBalancingPolicy.LeastRequest;
            case "random":
                return LoadBalancingPolicy.Random;
            case "power_of_two":
                return LoadBalancingPolicy.PowerOfTwo;
            default:
                diagnostics.Error("load_balancer.policy", $"unknown policy '{name}' (known: round_robin, least_request, random, power_of_two)");
                return LoadBalancingPolicy.RoundRobin;
        }
    }

    private static HealthCheckPlan? ReadHealthCheck(Struct config, Diagnostics diagnostics)
    {
        const string Field = "health_checks[0]";
        var reader = new SpecReader(config, Field, diagnostics);
        var interval = reader.Duration("interval") ?? TimeSpan.FromSeconds(10);
        var timeout = reader.Duration("timeout") ?? TimeSpan.FromSeconds(2);
        var unhealthy = (int)(reader.Integer("unhealthy_threshold", 1, 100) ?? 3);
        var healthy = (int)(reader.Integer("healthy_threshold", 1, 100) ?? 2);
        var http = reader.Object("http_health_check");
        string? path = null, host = null;
        var statuses = new List<(int, int)>();
        if (http is not null)
        {
            path = http.String("path");
            host = http.String("host");
            foreach (var range in http.Objects("expected_statuses") ?? [])
            {
                var start = range.Integer("start", 100, 599);
                var end = range.Integer("end", 101, 600);
                range.WarnUnknownKeys();
                if (start is not null && end is not null && start < end)
                {
                    // Envoy's ranges are half-open: [start, end).
                    statuses.Add(((int)start, (int)end - 1));
                }
                else if (start is not null && end is not null)
                {
                    diagnostics.Error($"{Field}.http_health_check.expected_statuses", $"start {start} must be below end {end}");
                }
            }
            http.WarnUnknownKeys();
        }
        reader.WarnUnknownKeys();

        if (path is null || !path.StartsWith('/'))
        {
            diagnostics.Error($"{Field}.http_health_check.path", path is null ? "is required" : $"'{path}' must start with '/'");
        }
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            diagnostics.Error($"{Field}.interval", "must be at least 100ms");
        }
        if (timeout <= TimeSpan.Zero || timeout > interval)
        {
            diagnostics.Error($"{Field}.timeout", "must be greater than zero and at most the interval");
        }
        if (diagnostics.HasErrors)
        {
            return null;
        }
        return new HealthCheckPlan
        {
            Path = path!,
            Host = host,
            Interval = interval,
            Timeout = timeout,
            UnhealthyThreshold = unhealthy,
            HealthyThreshold = healthy,
            ExpectedStatuses = statuses.Count > 0 ? new(statuses) : new([(200, 299)]),
        };
    }
}
