using System.Net;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Telemetry;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>
/// <c>/metrics</c> on the admin port after known traffic: exact counts by virtual service, route,
/// upstream and status class; retries; histogram buckets and sums; reloads and objects by state.
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync(output: output);
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            domains: [api.example]
            routes:
            - request_matcher: { path_prefix: /retried }
              single_destination: { upstream: { name: backend } }
              extensions: { max_retries: 2 }
            - request_matcher: { path_prefix: /once }
              single_destination: { upstream: { name: backend } }
              prefix_rewrite: /
            - request_matcher: { path_prefix: /missing }
              single_destination: { upstream: { name: nowhere } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Requests_are_counted_by_route_upstream_and_status_class()
    {
        for (var i = 0; i < 3; i++)
        {
            await SendAsync("/once/ok", HttpStatusCode.OK);
        }
        await SendAsync("/once/status/404", HttpStatusCode.NotFound);
        await SendAsync("/other", HttpStatusCode.NotFound);                            // no route
        await SendAsync("/once", HttpStatusCode.NotFound, host: "unknown.example");   // no virtual service
        await SendAsync("/once", HttpStatusCode.NotFound, host: "other.example");
        _backend.FailNext(1);
        await SendAsync("/once", HttpStatusCode.ServiceUnavailable);                   // upstream 503, not retried
        _backend.FailNext(2);
        await SendAsync("/retried", HttpStatusCode.OK);                                // 2 retries, then 200
        _backend.FailNext(3);
        await SendAsync("/retried", HttpStatusCode.ServiceUnavailable);                // 2 retries, then the 503
        await SendAsync("/missing", HttpStatusCode.ServiceUnavailable);                // rejected destination: the gateway's 503

        var metrics = await PrometheusText.ScrapeSettledAsync(_gateway.Admin);
        (string, string)[] once = [("virtual_service", "default"), ("route", "default/1"), ("upstream", "backend"), ("function", "")];
        (string, string)[] retried = [("virtual_service", "default"), ("route", "default/0"), ("upstream", "backend"), ("function", "")];
        Assert.Equal(3, metrics.Value("sluice_requests_total", [.. once, ("status_class", "2xx")]));
        Assert.Equal(1, metrics.Value("sluice_requests_total", [.. once, ("status_class", "4xx")]));
        Assert.Equal(1, metrics.Value("sluice_requests_total", [.. once, ("status_class", "5xx")]));
        Assert.Equal(1, metrics.Value("sluice_requests_total", [.. retried, ("status_class", "2xx")]));
        Assert.Equal(1, metrics.Value("sluice_requests_total", [.. retried, ("status_class", "5xx")]));
        Assert.Equal(4, metrics.Value("sluice_upstream_retries_total", retried));
        Assert.Equal(0, metrics.Value("sluice_upstream_retries_total", once));
        // A route of the virtual service, no route, no host: fixed labels, never the path or host.
        Assert.Equal(1, metrics.Value("sluice_requests_total",
            ("virtual_service", "default"), ("route", ""), ("upstream", ""), ("status_class", "4xx")));
        Assert.Equal(2, metrics.Value("sluice_requests_total",
            ("virtual_service", ""), ("route", ""), ("upstream", ""), ("status_class", "4xx")));
        Assert.Equal(1, metrics.Value("sluice_requests_total",
            ("virtual_service", "default"), ("route", "default/2"), ("upstream", ""), ("status_class", "5xx")));
        Assert.Equal(11, metrics.Sum("sluice_requests_total"));
        Assert.DoesNotContain("unknown.example", metrics.Text);
        Assert.DoesNotContain("/other", metrics.Text);

        // Every request has a duration; only those that reached a destination have an upstream call.
        Assert.Equal(11, metrics.Sum("sluice_request_duration_seconds_count"));
        Assert.Equal(5, metrics.Value("sluice_upstream_duration_seconds_count", once));
        Assert.Equal(2, metrics.Value("sluice_upstream_duration_seconds_count", retried));
        Assert.Equal(7, metrics.Sum("sluice_upstream_duration_seconds_count"));
        Assert.Equal(0, metrics.Value("sluice_requests_in_flight"));
    }

    [Fact]
    public async Task Histograms_have_the_configured_buckets_and_true_sums()
    {
        await SendAsync("/once/delay/300", HttpStatusCode.OK);

        var metrics = await PrometheusText.ScrapeSettledAsync(_gateway.Admin);
        (string, string)[] once = [("route", "default/1")];
        foreach (var histogram in new[] { "sluice_request_duration_seconds", "sluice_upstream_duration_seconds" })
        {
            var buckets = metrics.Find(histogram + "_bucket", once).ToList();
            var expected = GatewayMetrics.DurationBuckets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("+Inf");
            Assert.Equal(expected, buckets.Select(b => b.Labels["le"]));
            // Cumulative: nothing at or under 0.25 s, the request (a 300 ms backend) from 0.5 s on (a loaded machine may need up to 30 s).
            Assert.Equal(0, metrics.Value(histogram + "_bucket", [.. once, ("le", "0.25")]));
            Assert.Equal(1, metrics.Value(histogram + "_bucket", [.. once, ("le", "30")]));
            Assert.Equal(1, metrics.Value(histogram + "_bucket", [.. once, ("le", "+Inf")]));
            Assert.Equal(1, metrics.Value(histogram + "_count", once));
            var sum = metrics.Value(histogram + "_sum", once);
            Assert.InRange(sum, 0.28, 30);   // timers may fire a little early
        }
        // The upstream call is part of the request.
        Assert.True(metrics.Value("sluice_upstream_duration_seconds_sum", once) <= metrics.Value("sluice_request_duration_seconds_sum", once));
    }

    [Fact]
    public async Task Reloads_and_objects_by_state_are_reported()
    {
        var before = await PrometheusText.ScrapeAsync(_gateway.Admin);
        var reloads = before.Value("sluice_config_reloads_total", ("result", "success"));
        Assert.True(reloads >= 1);
        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            ---
            name: broken
            domains: [broken.example]
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: nowhere } }
            """);

        var after = await PrometheusText.ScrapeAsync(_gateway.Admin);
        Assert.Equal(reloads + 1, after.Value("sluice_config_reloads_total", ("result", "success")));
        Assert.Equal(0, after.Value("sluice_config_reloads_total", ("result", "failure")));
        Assert.True(1 == after.Value("sluice_config_objects", ("kind", "upstream"), ("state", "accepted")), after.Text);
        Assert.Equal(1, after.Value("sluice_config_objects", ("kind", "virtual_service"), ("state", "accepted")));
        Assert.Equal(0, after.Value("sluice_config_objects", ("kind", "virtual_service"), ("state", "pending")));
        Assert.Equal(2, after.Sum("sluice_config_objects", ("kind", "virtual_service")));
        Assert.Equal(1, after.Value("sluice_config_objects", ("kind", "virtual_service"), ("state", "rejected"))
            + after.Value("sluice_config_objects", ("kind", "virtual_service"), ("state", "warning")));
        var lastSuccess = after.Value("sluice_config_last_reload_success_timestamp_seconds");
        Assert.InRange(lastSuccess, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.True(after.Value("sluice_config_reload_duration_seconds_count") >= reloads + 1);
    }

    [Fact]
    public async Task Series_of_a_removed_route_go_with_it()
    {
        await SendAsync("/once/ok", HttpStatusCode.OK);
        await SendAsync("/retried", HttpStatusCode.OK);
        var before = await PrometheusText.ScrapeSettledAsync(_gateway.Admin);
        Assert.Equal(1, before.Value("sluice_requests_total", ("route", "default/1"), ("status_class", "2xx")));

        await _gateway.ApplyAsync(TestConfig.Upstream("backend", _backend.Port) + """
            name: default
            domains: [api.example]
            routes:
            - request_matcher: { path_prefix: /retried }
              single_destination: { upstream: { name: backend } }
              extensions: { max_retries: 2 }
            """);
        var after = await PrometheusText.ScrapeSettledAsync(_gateway.Admin);
        Assert.DoesNotContain(after.Samples, s => s.Labels.GetValueOrDefault("route") == "default/1");
        // Unchanged routes keep their counts across the reload.
        Assert.Equal(1, after.Value("sluice_requests_total", ("route", "default/0"), ("status_class", "2xx")));
        await SendAsync("/retried", HttpStatusCode.OK);
        Assert.Equal(2, (await PrometheusText.ScrapeSettledAsync(_gateway.Admin)).Value("sluice_requests_total", ("route", "default/0"), ("status_class", "2xx")));
    }

    [Fact]
    public async Task Every_metric_the_Grafana_dashboard_queries_is_exported()
    {
        await SendAsync("/once/ok", HttpStatusCode.OK);
        var metrics = await PrometheusText.ScrapeSettledAsync(_gateway.Admin);
        var exported = metrics.Samples.Select(s => s.Name).ToHashSet();

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Sluice.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }
        var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root.FullName, "deploy/grafana/sluice-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
        Assert.True(expressions.Count >= 15);
        var queried = expressions.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, "sluice_[a-z_]+").Select(m => m.Value)).ToHashSet();
        Assert.All(queried, name => Assert.Contains(name, exported));
        Assert.Contains("sluice_upstream_retries_total", queried);
    }

    private async Task SendAsync(string path, HttpStatusCode expected, string host = "api.example")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        await response.Content.ReadAsStringAsync();
    }
}
