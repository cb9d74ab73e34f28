using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Api;
using Sluice.Gateway.Clusters;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// The admin API: liveness, readiness, the objects with the status this process gave them, and
/// the plan being served. Bound to loopback by default: it shows the whole configuration.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder admin, PlanHolder plans, ConfigLoop loop, ReadinessState readiness)
    {
        admin.MapGet("/healthz", () => Results.Text("ok\n"));
        admin.MapGet("/readyz", () => readiness.Draining
            ? Results.Text("not ready: draining for shutdown\n", statusCode: 503)
            : plans.IsReady
            ? Results.Text("ready\n")
            : Results.Text("not ready: no configuration has been applied yet\n", statusCode: 503));
        admin.MapGet("/readyz/detail", () => ReadinessJson.Write(readiness, plans.IsReady, loop.Latest));

        admin.MapGet("/api/v1/upstreams", () => Objects(loop.Latest, ConfigKind.Upstream, null));
        admin.MapGet("/api/v1/upstreams/{name}", (string name) => Objects(loop.Latest, ConfigKind.Upstream, name));
        admin.MapGet("/api/v1/virtualservices", () => Objects(loop.Latest, ConfigKind.VirtualService, null));
        admin.MapGet("/api/v1/virtualservices/{name}", (string name) => Objects(loop.Latest, ConfigKind.VirtualService, name));
        admin.MapGet("/api/v1/plan", (HttpContext context) => WritePlanAsync(context, loop.Latest));
        admin.MapGet("/api/v1/clusters", () => Clusters(plans.Current));
    }

    /// <summary>
    /// DNS rebinding defence: a web page on <c>evil.example</c> that gets its name re-pointed at
    /// 127.0.0.1 can make the browser call the admin API, but the browser still sends
    /// <c>Host: evil.example</c>. Only loopback names and IP literals (which no DNS answer
    /// can change) are answered.
    /// </summary>
    public static Task RefuseForeignHostsAsync(HttpContext context, RequestDelegate next)
    {
        var host = context.Request.Host;
        return !host.HasValue || IsLoopbackNameOrAddress(host.Host)
            ? next(context)
            : ErrorResponder.WriteAsync(context, new SluiceError(SluiceErrorCode.AdminHostNotAllowed,
                $"the admin API answers only Host localhost, *.localhost or an IP address, not '{host.Host}' (a defence against DNS rebinding); call it as http://127.0.0.1:{context.Connection.LocalPort}"));
    }

    private static bool IsLoopbackNameOrAddress(string host)
    {
        var name = host.AsSpan().TrimEnd('.');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // HostString.Host keeps an IPv6 literal's brackets.
        return IPAddress.TryParse(name.Length > 1 && name[0] == '[' && name[^1] == ']' ? name[1..^1] : name, out _);
    }

    private static IResult Objects(ConfigView? view, ConfigKind kind, string? name)
    {
        if (view is null)
        {
            return Results.Text("no configuration has been loaded yet\n", statusCode: 503);
        }
        var statuses = view.Result.Reports.Where(r => r.Kind == kind).ToDictionary(r => r.Name, r => r.Status);
        var state = view.Result.State;
        IReadOnlyDictionary<string, IConfigObject> serving = kind == ConfigKind.Upstream
            ? state.AcceptedUpstreams.ToDictionary(p => p.Key, p => (IConfigObject)p.Value)
            : state.AcceptedVirtualServices.ToDictionary(p => p.Key, p => (IConfigObject)p.Value);
        IEnumerable<IConfigObject> objects = kind == ConfigKind.Upstream ? view.Snapshot.Upstreams : view.Snapshot.VirtualServices;
        var loaded = objects.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var items = new JsonArray();
        // Objects that loaded, and objects that failed to load but have a verdict (their file no
        // longer parses, or has an unknown field): the latter are shown as the version serving.
        foreach (var objectName in loaded.Keys.Union(statuses.Keys).Order(StringComparer.Ordinal).Where(n => name is null || n == name))
        {
            var json = loaded.TryGetValue(objectName, out var obj) ? ConfigCodec.ToJson(obj)
                : serving.TryGetValue(objectName, out var last) ? ConfigCodec.ToJson(last)
                : new JsonObject { ["name"] = objectName };
            // The verdict of this process's last translation: fresher than what the store holds.
            if (statuses.TryGetValue(objectName, out var status))
            {
                json["status"] = StatusJson(status, status.State == StatusState.Rejected ? serving.GetValueOrDefault(objectName) : null, obj is not null);
            }
            items.Add(json);
        }
        if (name is not null)
        {
            return items.Count == 0
                ? Results.Text($"{kind.DisplayName()} '{name}' not found\n", statusCode: 404)
                : Results.Text(items[0]!.ToJsonString(), "application/json");
        }
        return Results.Text(items.ToJsonString(), "application/json");
    }

    /// <summary>Run-time state of every cluster: each endpoint's health and requests in flight.</summary>
    private static IResult Clusters(ActivePlan plan)
    {
        var clusters = new JsonArray();
        foreach (var cluster in plan.Clusters.Values.OrderBy(c => c.Plan.Name, StringComparer.Ordinal))
        {
            var endpoints = new JsonArray();
            foreach (var endpoint in cluster.Endpoints)
            {
                endpoints.Add(new JsonObject
                {
                    ["address"] = endpoint.Prefix,
                    ["healthy"] = endpoint.IsHealthy,
                    ["reachable"] = endpoint.IsReachable,
                    ["ejected"] = endpoint.IsEjected(System.Diagnostics.Stopwatch.GetTimestamp()),
                    ["active_requests"] = endpoint.ActiveRequests,
                });
            }
            clusters.Add(new JsonObject
            {
                ["name"] = cluster.Plan.Name,
                ["load_balancer"] = cluster.Plan.LoadBalancing.ToString(),
                ["health_checked"] = cluster.Plan.HealthCheck is not null,
                ["endpoints"] = endpoints,
            });
        }
        return Results.Text(clusters.ToJsonString(), "application/json");
    }

    /// <param name="serving">For a rejected object, the last accepted version still serving, if any.</param>
    /// <param name="loaded">Whether the object loaded from the store (otherwise only its verdict is known).</param>
    private static JsonObject StatusJson(Status status, IConfigObject? serving, bool loaded)
    {
        var json = new JsonObject { ["state"] = status.State.ToString() };
        if (status.Reason is not null)
        {
            json["reason"] = status.Reason;
        }
        if (serving is not null)
        {
            json["serving_resource_version"] = serving.Metadata.ResourceVersion;
        }
        if (!loaded)
        {
            json["loaded"] = false;
        }
        return json;
    }

    private static async Task WritePlanAsync(HttpContext context, ConfigView? view)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        PlanJson.Write(json, view);
    }
}
