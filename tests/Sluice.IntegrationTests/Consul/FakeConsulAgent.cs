using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Consul;

/// <summary>
/// A FAKE Consul agent: no Consul agent can be installed on these machines, so this real Kestrel
/// server on a loopback port stands in. It is built from Consul's HTTP API reference (the
/// "Blocking Queries" page, <c>/v1/health/service/:service</c>, <c>/v1/catalog/services</c>,
/// ACL tokens) and behaves as the agent does where Sluice depends on it:
/// <list type="bullet">
/// <item>every answer carries <c>X-Consul-Index</c>; one counter for the whole agent is bumped by
///   every write, and a read's index is the last write that touched what it reads (a service's
///   instances and their checks; the catalog's service list);</item>
/// <item>a query with <c>index=N</c> is held until its index passes N or <c>wait</c> (Go duration,
///   default 5 min, at most 10 min, plus up to wait/16 of jitter) runs out, then answers the
///   current data and index, which may be lower than N after <see cref="RestartAsync"/>;</item>
/// <item>health entries hold <c>Node</c>, <c>Service</c> and <c>Checks</c>: the node's
///   <c>serfHealth</c> check and the instance's own, each <c>passing</c>, <c>warning</c> or
///   <c>critical</c>; <c>passing</c> keeps only entries whose checks all pass (a warning does not);</item>
/// <item><c>tag</c> (repeatable: an instance must have them all) and <c>dc</c> filter; an unknown
///   datacenter is a 500 "No path to datacenter"; an instance registered without an address has
///   <c>Service.Address</c> "" (clients use the node's <c>Address</c>);</item>
/// <item>with <see cref="RequiredToken"/> set, a request without that <c>X-Consul-Token</c> is a 403
///   "ACL not found";</item>
/// <item><see cref="StopAsync"/> drops open queries mid-wait and refuses connections, as a dead agent does.</item>
/// </list>
/// </summary>
internal sealed class FakeConsulAgent : IAsyncDisposable
{
    public const string LocalDataCenter = "dc1";

    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeHealth = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _serviceIndex = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Query> _queries = new();
    private TaskCompletionSource _changed = NewSignal();
    private CancellationTokenSource _down = new();
    private WebApplication? _app;
    private ulong _index = 10;
    private ulong _catalogIndex = 10;

    private FakeConsulAgent(int port) => Port = port;

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>When set, every request must carry this ACL token.</summary>
    public string? RequiredToken { get; init; }

    /// <summary>One received query: its path, its <c>index</c> and <c>wait</c> (null when absent), its token.</summary>
    public sealed record Query(string Path, ulong? Index, string? Wait, string? Token, bool Passing, string[] Tags, string? DataCenter);

    public IReadOnlyList<Query> Queries => [.. _queries];

    public int QueriesFor(string service) => _queries.Count(q => q.Path == "/v1/health/service/" + service);

    public static Task<FakeConsulAgent> StartAsync(string? requiredToken = null) =>
        FreePorts.RetryOnConflictAsync(async () =>
        {
            var agent = new FakeConsulAgent(FreePorts.Next()) { RequiredToken = requiredToken };
            await agent.ListenAsync();
            return agent;
        });

    /// <summary>Registers (or replaces) an instance with one service check in state <paramref name="check"/>.</summary>
    public void Register(string id, string service, int port, string address = "", string node = "node-1", string nodeAddress = "127.0.0.1",
        string[]? tags = null, string dataCenter = LocalDataCenter, string check = "passing")
    {
        Write(service, catalog: true, () =>
        {
            _instances[id] = new Instance(id, service, address, port, tags ?? [], node, nodeAddress, dataCenter, check);
            _nodeHealth.TryAdd(node, "passing");
        });
    }

    public void Deregister(string id)
    {
        var service = Read(() => _instances[id].Service);
        Write(service, catalog: true, () => _instances.Remove(id));
    }

    /// <summary>Sets the instance's service check: passing, warning or critical.</summary>
    public void SetCheck(string id, string status)
    {
        var service = Read(() => _instances[id].Service);
        Write(service, catalog: false, () => _instances[id] = _instances[id] with { Check = status });
    }

    /// <summary>
    /// The agent goes away: open queries are cut and new connections refused until <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        await _down.CancelAsync();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The agent comes back on the same port with the same registrations, but its index counts
    /// again from a low number, as after its servers' state was rebuilt from a snapshot: a
    /// client waiting on an older, higher index must notice it went backwards.
    /// </summary>
    public async Task RestartAsync()
    {
        LowerIndexes();
        _down = new CancellationTokenSource();
        await ListenAsync();
    }

    /// <summary>
    /// Every index drops to 1 while the agent keeps serving, as when its servers restore a
    /// snapshot. Queries already waiting on a higher index wait out their <c>wait</c> and then
    /// answer the lower index (Consul's docs tell clients to reset to 0 when they see that).
    /// </summary>
    public void LowerIndexes()
    {
        lock (_lock)
        {
            _index = 1;
            _catalogIndex = 1;
            foreach (var service in _serviceIndex.Keys.ToList())
            {
                _serviceIndex[service] = 1;
            }
        }
    }

    private async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var token = request.Headers["X-Consul-Token"].FirstOrDefault();
        var index = ulong.TryParse(request.Query["index"], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : (ulong?)null;
        var passing = request.Query.TryGetValue("passing", out var p) && !string.Equals(p.ToString(), "false", StringComparison.OrdinalIgnoreCase);
        var dataCenter = request.Query["dc"].FirstOrDefault();
        string[] tags = [.. request.Query["tag"].Where(t => t is not null).Select(t => t!)];
        _queries.Enqueue(new Query(path, index, request.Query["wait"].FirstOrDefault(), token, passing, tags, dataCenter));

        if (RequiredToken is not null && token != RequiredToken)
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("ACL not found");
            return;
        }
        if (dataCenter is not null && !Read(() => _instances.Values.Any(x => x.DataCenter == dataCenter)) && dataCenter != LocalDataCenter)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("No path to datacenter");
            return;
        }
        string? service = null;
        if (path.StartsWith("/v1/health/service/", StringComparison.Ordinal))
        {
            service = Uri.UnescapeDataString(path["/v1/health/service/".Length..]);
        }
        else if (path != "/v1/catalog/services")
        {
            context.Response.StatusCode = 404;
            return;
        }
        if (!TryParseWait(request.Query["wait"].FirstOrDefault(), out var wait))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("Invalid wait time");
            return;
        }

        if (index is > 0 && !await BlockAsync(service, index.Value, wait, context.RequestAborted))
        {
            // The agent went down while the query waited: the connection just breaks.
            context.Abort();
            return;
        }
        var (body, answerIndex) = Read<(JsonNode, ulong)>(() => service is null
            ? (Catalog(dataCenter ?? LocalDataCenter), _catalogIndex)
            : (Health(service, dataCenter ?? LocalDataCenter, tags, passing), _serviceIndex.GetValueOrDefault(service, _catalogIndex)));
        context.Response.Headers["X-Consul-Index"] = answerIndex.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Consul-KnownLeader"] = "true";
        context.Response.Headers["X-Consul-LastContact"] = "0";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>Waits until the read's index passes <paramref name="index"/> or the wait runs out; false when the agent stopped.</summary>
    private async Task<bool> BlockAsync(string? service, ulong index, TimeSpan wait, CancellationToken aborted)
    {
        var jitter = TimeSpan.FromTicks(Random.Shared.NextInt64(wait.Ticks / 16 + 1));
        var deadline = DateTime.UtcNow + wait + jitter;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _down.Token);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var current = service is null ? _catalogIndex : _serviceIndex.GetValueOrDefault(service, _catalogIndex);
                if (current > index)
                {
                    return true;
                }
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return true;
            }
            try
            {
                await changed.WaitAsync(left, linked.Token);
            }
            catch (TimeoutException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private JsonArray Health(string service, string dataCenter, string[] tags, bool passing)
    {
        var entries = new JsonArray();
        foreach (var x in _instances.Values.Where(x => x.Service == service && x.DataCenter == dataCenter).OrderBy(x => x.Id, StringComparer.Ordinal))
        {
            var nodeHealth = _nodeHealth[x.Node];
            if (!tags.All(x.Tags.Contains) || (passing && (nodeHealth != "passing" || x.Check != "passing")))
            {
                continue;
            }
            entries.Add(new JsonObject
            {
                ["Node"] = new JsonObject { ["ID"] = Guid.Empty.ToString(), ["Node"] = x.Node, ["Address"] = x.NodeAddress, ["Datacenter"] = x.DataCenter, ["Meta"] = new JsonObject() },
                ["Service"] = new JsonObject
                {
                    ["ID"] = x.Id, ["Service"] = x.Service, ["Tags"] = new JsonArray([.. x.Tags.Select(t => (JsonNode)t)]),
                    ["Address"] = x.Address, ["Port"] = x.Port, ["Meta"] = new JsonObject(),
                    ["Weights"] = new JsonObject { ["Passing"] = 1, ["Warning"] = 1 },
                },
                ["Checks"] = new JsonArray
                {
                    new JsonObject { ["Node"] = x.Node, ["CheckID"] = "serfHealth", ["Name"] = "Serf Health Status", ["Status"] = nodeHealth, ["ServiceID"] = "", ["ServiceName"] = "" },
                    new JsonObject { ["Node"] = x.Node, ["CheckID"] = "service:" + x.Id, ["Name"] = "Service '" + x.Service + "' check", ["Status"] = x.Check, ["ServiceID"] = x.Id, ["ServiceName"] = x.Service },
                },
            });
        }
        return entries;
    }

    /// <summary>The catalog's services with their tags; the servers register <c>consul</c> itself, as in a real cluster.</summary>
    private JsonObject Catalog(string dataCenter)
    {
        var services = new JsonObject { ["consul"] = new JsonArray() };
        foreach (var group in _instances.Values.Where(x => x.DataCenter == dataCenter).GroupBy(x => x.Service).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            services[group.Key] = new JsonArray([.. group.SelectMany(x => x.Tags).Distinct().Order(StringComparer.Ordinal).Select(t => (JsonNode)t)]);
        }
        return services;
    }

    /// <summary>Go's duration syntax as Consul reads <c>wait</c>; absent means 5 minutes; capped at 10.</summary>
    private static bool TryParseWait(string? text, out TimeSpan wait)
    {
        wait = TimeSpan.FromMinutes(5);
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(\d+)(ms|s|m|h)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            return false;
        }
        var value = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        wait = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromHours(value),
        };
        if (wait > MaxWait)
        {
            wait = MaxWait;
        }
        return true;
    }

    private T Read<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }

    private void Write(string service, bool catalog, Action write)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            write();
            _index++;
            _serviceIndex[service] = _index;
            if (catalog)
            {
                _catalogIndex = _index;
            }
            changed = _changed;
            _changed = NewSignal();
        }
        changed.SetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed record Instance(string Id, string Service, string Address, int Port, string[] Tags, string Node, string NodeAddress, string DataCenter, string Check);
}
