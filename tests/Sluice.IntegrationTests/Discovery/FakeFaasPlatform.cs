using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// A fake of a FaaS platform's gateway (the platforms cannot run here), answering as their
/// published APIs do, on a real Kestrel port:
/// <list type="bullet">
/// <item>OpenFaaS: <c>GET /system/functions</c> lists function statuses
/// (<c>name, image, namespace, invocationCount, replicas, availableReplicas, labels, annotations</c>);
/// functions are invoked at <c>/function/&lt;name&gt;</c>.</item>
/// <item>Fission: the controller's <c>GET /v2/functions</c> lists Function resources
/// (<c>kind, apiVersion fission.io/v1, metadata {name, namespace, resourceVersion, uid}, spec {environment, package, …}</c>);
/// the router invokes <c>/fission-function/&lt;name&gt;</c>.</item>
/// <item>Fn (v1 API): <c>GET /v1/apps</c> answers <c>{"message", "next_cursor", "apps": [{name, config, …}]}</c>,
/// <c>GET /v1/apps/&lt;app&gt;/routes</c> answers <c>{"message", "next_cursor", "routes": [{app_name, path, image, type, format, …}]}</c>,
/// both a page at a time (<c>?per_page=</c>, <c>?cursor=</c>, here one item per page so paging is exercised);
/// routes are invoked at <c>/r/&lt;app&gt;&lt;path&gt;</c>.</item>
/// </list>
/// Invocations answer JSON naming the method, path and body received; listing requests are counted.
/// </summary>
internal sealed class FakeFaasPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeFaasPlatform(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The platform's functions; for Fn, <c>app/route</c> pairs (route with its leading '/').</summary>
    public ConcurrentDictionary<string, bool> Functions { get; } = new(StringComparer.Ordinal);

    /// <summary>Listing requests by path and query.</summary>
    public ConcurrentQueue<string> Listings { get; } = new();

    public static async Task<FakeFaasPlatform> StartAsync(params string[] functions)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeFaasPlatform? platform = null;
        app.Run(context => platform!.HandleAsync(context));
        await app.StartAsync();
        platform = new FakeFaasPlatform(app, new Uri(app.Urls.First()).Port);
        foreach (var function in functions)
        {
            platform.Functions[function] = true;
        }
        return platform;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (context.Request.Method == "GET" && (path is "/system/functions" or "/v2/functions" || path.StartsWith("/v1/apps", StringComparison.Ordinal)))
        {
            Listings.Enqueue(path + context.Request.QueryString);
            var listing = Listing(path, context.Request.Query["cursor"].ToString());
            if (listing is null)
            {
                context.Response.StatusCode = 404;
                await context.Response.WriteAsJsonAsync(new { message = "App not found" });
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(listing.ToJsonString());
            return;
        }
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        await context.Response.WriteAsJsonAsync(new { method = context.Request.Method, path, body });
    }

    private JsonNode? Listing(string path, string cursor)
    {
        var names = Functions.Keys.Order(StringComparer.Ordinal).ToList();
        switch (path)
        {
            case "/system/functions":
                return new JsonArray([.. names.Select(name => (JsonNode)new JsonObject
                {
                    ["name"] = name,
                    ["image"] = $"ghcr.io/openfaas/{name}:latest",
                    ["namespace"] = "openfaas-fn",
                    ["invocationCount"] = 3,
                    ["replicas"] = 1,
                    ["availableReplicas"] = 1,
                    ["envProcess"] = "node index.js",
                    ["labels"] = new JsonObject { ["faas_function"] = name },
                    ["annotations"] = new JsonObject { ["prometheus.io.scrape"] = "false" },
                    ["createdAt"] = "2026-12-01T09:00:00Z",
                })]);
            case "/v2/functions":
                return new JsonArray([.. names.Select((name, i) => (JsonNode)new JsonObject
                {
                    ["kind"] = "Function",
                    ["apiVersion"] = "fission.io/v1",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name,
                        ["namespace"] = "default",
                        ["resourceVersion"] = (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["uid"] = Guid.NewGuid().ToString(),
                        ["creationTimestamp"] = "2026-12-01T09:00:00Z",
                    },
                    ["spec"] = new JsonObject
                    {
                        ["environment"] = new JsonObject { ["namespace"] = "default", ["name"] = "nodejs" },
                        ["package"] = new JsonObject
                        {
                            ["packageref"] = new JsonObject { ["namespace"] = "default", ["name"] = $"{name}-pkg", ["resourceversion"] = "1" },
                            ["functionName"] = "",
                        },
                        ["secrets"] = null,
                        ["configmaps"] = null,
                        ["resources"] = new JsonObject(),
                        ["InvokeStrategy"] = new JsonObject { ["ExecutionStrategy"] = new JsonObject { ["ExecutorType"] = "poolmgr", ["MinScale"] = 0, ["MaxScale"] = 0 }, ["StrategyType"] = "execution" },
                        ["functionTimeout"] = 60,
                        ["idletimeout"] = 120,
                        ["concurrency"] = 500,
                        ["requestsPerPod"] = 1,
                    },
                })]);
            case "/v1/apps":
                var apps = names.Select(n => n.Split('/')[0]).Distinct().ToList();
                return Page(apps, cursor, "apps", app => new JsonObject
                {
                    ["name"] = app,
                    ["config"] = new JsonObject(),
                    ["created_at"] = "2026-12-01T09:00:00.000Z",
                    ["updated_at"] = "2026-12-01T09:00:00.000Z",
                });
            default:
                var parts = path.Split('/');
                if (parts is not ["", "v1", "apps", var appName, "routes"])
                {
                    return null;
                }
                var routes = names.Where(n => n.Split('/')[0] == appName).Select(n => n[(appName.Length)..]).ToList();
                return routes.Count == 0 ? null : Page(routes, cursor, "routes", route => new JsonObject
                {
                    ["app_name"] = appName,
                    ["path"] = route,
                    ["image"] = $"fnproject{route}:0.0.1",
                    ["memory"] = 128,
                    ["type"] = "sync",
                    ["format"] = "default",
                    ["timeout"] = 30,
                    ["idle_timeout"] = 30,
                    ["config"] = new JsonObject(),
                    ["headers"] = new JsonObject(),
                });
        }
    }

    /// <summary>One item per page; the cursor is the next item's index, as an opaque base64 string.</summary>
    private static JsonObject Page(List<string> items, string cursor, string property, Func<string, JsonObject> item)
    {
        var start = cursor.Length == 0 ? 0 : int.Parse(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor)), System.Globalization.CultureInfo.InvariantCulture);
        var page = items.Skip(start).Take(1).ToList();
        var next = start + 1 < items.Count ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes((start + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))) : "";
        return new JsonObject
        {
            ["message"] = $"Successfully listed {property}",
            ["next_cursor"] = next,
            [property] = new JsonArray([.. page.Select(p => (JsonNode)item(p))]),
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
