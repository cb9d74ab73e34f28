using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// A FAKE Kubernetes API server: no real API server (nor etcd-backed kube-apiserver, kind or
/// minikube) can be installed on these machines, so this real Kestrel server on loopback stands
/// in. It is built from the Kubernetes API reference ("API Concepts": efficient detection of
/// changes, resource versions, bookmarks, 410 Gone, optimistic concurrency, subresources) and
/// behaves as the real one where the store depends on it:
/// <list type="bullet">
/// <item>one resourceVersion counter for the whole server, bumped by every write (status writes too);
///   <c>metadata.generation</c> per object, bumped only when a write changes its spec;</item>
/// <item>lists carry the collection's resourceVersion; <c>?watch=true&amp;resourceVersion=N</c>
///   replays every event after N, then streams new ones as JSON lines (ADDED, MODIFIED, DELETED);</item>
/// <item><c>allowWatchBookmarks=true</c> gets BOOKMARK events carrying only a resourceVersion;</item>
/// <item>after <see cref="Compact"/>, a watch from a version older than the compaction gets an
///   ERROR event holding a 410 Gone Status, as the real server sends it (HTTP 200, then the event);</item>
/// <item>PUT with a stale resourceVersion is 409 Conflict; without one, 422 (custom resources need it);
///   POST of an existing name is 409 AlreadyExists; unknown objects are 404 with a Status body;</item>
/// <item>the status subresource: PUT/PATCH on <c>…/status</c> changes only status, on the resource
///   only metadata and spec;</item>
/// <item><see cref="CutWatches"/> aborts every open watch mid-line, as a dropped connection does;</item>
/// <item><c>labelSelector</c> on lists and watches, with the equality-based syntax (<c>k=v</c>,
///   <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, comma-separated, all must hold); a watch sees
///   the events of objects that match after the change (the real server also sends a DELETED for
///   an object whose labels stop matching; no test here relabels a watched object).</item>
/// </list>
/// It serves the custom resources of <see cref="Groups"/>, core v1 Secrets and Services,
/// <c>discovery.k8s.io/v1</c> EndpointSlices and <c>coordination.k8s.io/v1</c> Leases, in any
/// namespace. Services and EndpointSlices are plain objects here (no controller fills slices from
/// pods): tests write both, as the EndpointSlice controller would.
/// </summary>
internal sealed class FakeKubernetesApiServer : IAsyncDisposable
{
    private static readonly string[] Plurals = ["upstreams", "virtualservices"];

    /// <summary>Leases (leader election), which have no status subresource: a PUT replaces the object.</summary>
    private const string LeaseGroup = "coordination.k8s.io/v1";

    /// <summary>EndpointSlices, which have no status subresource either.</summary>
    private const string DiscoveryGroup = "discovery.k8s.io/v1";

    /// <summary>The core (v1) collections served; none with a status subresource here.</summary>
    private static readonly string[] CorePlurals = ["secrets", "services"];
    private readonly Lock _lock = new();
    private readonly WebApplication _app;
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Collection, string Type, JsonObject Object)> _events = [];
    private readonly List<Watcher> _watchers = [];
    private readonly List<(string? Token, string Method, string Path, int Status)> _writes = [];
    private readonly SemaphoreSlim _watchGate = new(1, 1);
    private long _version = 100;
    private long _compactedUpTo;
    private int _watchRequests;
    private int _listRequests;

    private FakeKubernetesApiServer(WebApplication app) => _app = app;

    /// <summary>API groups whose upstreams and virtualservices exist (as if their CRDs were installed).</summary>
    public static readonly string[] Groups = ["gloo.solo.io/v1"];

    public Uri Address { get; private set; } = null!;

    public int WatchRequests => Volatile.Read(ref _watchRequests);

    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>Watches currently open.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public k8s.KubernetesClientConfiguration ClientConfiguration() => new() { Host = Address.ToString() };

    /// <summary>
    /// Every request that was not a read, in order, with the bearer token it carried and the
    /// status it got: which client wrote what (the fake checks no token, as if every client were
    /// authorized).
    /// </summary>
    public IReadOnlyList<(string? Token, string Method, string Path, int Status)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>A kubeconfig that points at this server with a token, for the CLI run as a process.</summary>
    public void WriteKubeconfig(string path, string token = "test-token") => File.WriteAllText(path, $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {Address}
        users:
        - name: tester
          user:
            token: {token}
        contexts:
        - name: fake
          context:
            cluster: fake
            user: tester
        current-context: fake
        """);

    public static async Task<FakeKubernetesApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>What <c>kubectl apply</c> does for a new object: stores it as POST would.</summary>
    public JsonObject Create(JsonObject resource)
    {
        var (collection, ns, name) = Locate(resource);
        lock (_lock)
        {
            return Store(collection, ns, name, resource.DeepClone().AsObject(), "ADDED", keepStatusOf: null)!;
        }
    }

    /// <summary>Replaces an object's spec, as a user's edit does (status kept, version bumped).</summary>
    public JsonObject ReplaceSpec(JsonObject resource)
    {
        var (collection, ns, name) = Locate(resource);
        lock (_lock)
        {
            var current = _objects[Key(collection, ns, name)];
            return Store(collection, ns, name, resource.DeepClone().AsObject(), "MODIFIED", keepStatusOf: current)!;
        }
    }

    public void Delete(string collection, string ns, string name)
    {
        lock (_lock)
        {
            var current = _objects[Key(collection, ns, name)];
            _objects.Remove(Key(collection, ns, name));
            Publish(collection, "DELETED", Bump(current.DeepClone().AsObject()));
        }
    }

    public JsonObject? Get(string collection, string ns, string name)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(Key(collection, ns, name))?.DeepClone().AsObject();
        }
    }

    /// <summary>Forgets every event so far, as etcd compaction does: older watches get 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedUpTo = _version;
            _events.Clear();
        }
    }

    /// <summary>Sends a BOOKMARK with the current resourceVersion on every watch that asked for them.</summary>
    public void SendBookmarks()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Events.Writer.TryWrite(Line("BOOKMARK", new JsonObject
                {
                    ["kind"] = "Bookmark",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = Version() },
                }));
            }
        }
    }

    /// <summary>Drops every open watch in the middle of a line, as a broken connection does.</summary>
    public void CutWatches() => EndWatches(cut: true);

    /// <summary>
    /// Ends every open watch: cleanly, as the real server does when a watch's timeout expires
    /// (everything sent is delivered), or cut mid-line with a reset (the client may lose what it
    /// had not read yet).
    /// </summary>
    public void EndWatches(bool cut)
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Cut = cut;
                watcher.Events.Writer.TryComplete();
            }
        }
    }

    /// <summary>
    /// Cuts every watch and runs <paramref name="changes"/> before any watch can reconnect: the
    /// changes reach the store only through a resumed watch's replay, or a re-list.
    /// </summary>
    public void WhileWatchesAreDown(Action changes, bool cut = true)
    {
        _watchGate.Wait();
        try
        {
            EndWatches(cut);
            changes();
        }
        finally
        {
            _watchGate.Release();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (!TryRoute(segments, out var collection, out var ns, out var name, out var subresource))
        {
            await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({context.Request.Path})");
            return;
        }
        var method = context.Request.Method;
        if (method != "GET")
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
            context.Response.OnStarting(() =>
            {
                lock (_lock)
                {
                    _writes.Add((token, method, context.Request.Path.Value!, context.Response.StatusCode));
                }
                return Task.CompletedTask;
            });
        }
        if (name is null && method == "GET")
        {
            var selector = LabelSelector.Parse(context.Request.Query["labelSelector"].ToString());
            if (context.Request.Query["watch"] is ["true" or "1"])
            {
                await WatchAsync(context, collection, ns, selector);
            }
            else
            {
                await ListAsync(context, collection, ns, selector);
            }
            return;
        }
        if (name is null && method == "POST" && ns is not null)
        {
            var body = await ReadBodyAsync(context);
            var bodyName = body["metadata"]?["name"]?.GetValue<string>() ?? "";
            JsonObject? created;
            lock (_lock)
            {
                created = _objects.ContainsKey(Key(collection, ns, bodyName))
                    ? null
                    : Store(collection, ns, bodyName, body, "ADDED", keepStatusOf: null);
            }
            if (created is null)
            {
                await WriteStatusAsync(context, HttpStatusCode.Conflict, "AlreadyExists", $"{Resource(collection)} \"{bodyName}\" already exists");
                return;
            }
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(created);
            return;
        }
        if (name is null || ns is null)
        {
            await WriteStatusAsync(context, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"{method} is not supported here");
            return;
        }
        await ItemAsync(context, method, collection, ns, name, subresource);
    }

    private async Task ItemAsync(HttpContext context, string method, string collection, string ns, string name, string? subresource)
    {
        var key = Key(collection, ns, name);
        JsonObject? body = method is "PUT" or "PATCH" ? await ReadBodyAsync(context) : null;
        (HttpStatusCode Code, string Reason, string Message)? failure = null;
        JsonObject? answer = null;
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var current))
            {
                failure = (HttpStatusCode.NotFound, "NotFound", $"{Resource(collection)} \"{name}\" not found");
            }
            else if (method == "GET")
            {
                answer = current.DeepClone().AsObject();
            }
            else if (method == "DELETE")
            {
                _objects.Remove(key);
                answer = Bump(current.DeepClone().AsObject());
                Publish(collection, "DELETED", answer);
            }
            else if (method == "PUT")
            {
                var given = body!["metadata"]?["resourceVersion"]?.GetValue<string>();
                if (string.IsNullOrEmpty(given))
                {
                    failure = (HttpStatusCode.UnprocessableEntity, "Invalid", $"{Resource(collection)} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
                }
                else if (given != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                {
                    failure = (HttpStatusCode.Conflict, "Conflict", $"Operation cannot be fulfilled on {Resource(collection)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                }
                else
                {
                    answer = subresource == "status"
                        ? Store(collection, ns, name, WithStatus(current, body["status"]), "MODIFIED", keepStatusOf: null)
                        : Store(collection, ns, name, body, "MODIFIED", keepStatusOf: current);
                }
            }
            else if (method == "PATCH" && subresource == "status" && context.Request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) == true)
            {
                var status = current["status"] is JsonObject old ? old.DeepClone().AsObject() : [];
                if (body!["status"] is JsonObject patch)
                {
                    foreach (var (field, value) in patch)
                    {
                        if (value is null)
                        {
                            status.Remove(field);
                        }
                        else
                        {
                            status[field] = value.DeepClone();
                        }
                    }
                }
                answer = Store(collection, ns, name, WithStatus(current, status), "MODIFIED", keepStatusOf: null);
            }
            else
            {
                failure = (HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"{method} {context.Request.ContentType} is not supported by this fake");
            }
        }
        if (failure is { } f)
        {
            await WriteStatusAsync(context, f.Code, f.Reason, f.Message);
            return;
        }
        await context.Response.WriteAsJsonAsync(answer);
    }

    private async Task ListAsync(HttpContext context, string collection, string? ns, LabelSelector selector)
    {
        Interlocked.Increment(ref _listRequests);
        JsonObject list;
        lock (_lock)
        {
            var items = new JsonArray([.. _objects.Where(o => InScope(o.Key, collection, ns) && selector.Matches(o.Value)).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => (JsonNode)o.Value.DeepClone())]);
            list = new JsonObject
            {
                ["kind"] = "List",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = Version() },
                ["items"] = items,
            };
        }
        await context.Response.WriteAsJsonAsync(list);
    }

    private async Task WatchAsync(HttpContext context, string collection, string? ns, LabelSelector selector)
    {
        Interlocked.Increment(ref _watchRequests);
        var from = long.TryParse(context.Request.Query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
        var watcher = new Watcher(collection, ns, context.Request.Query["allowWatchBookmarks"] == "true", selector);
        await _watchGate.WaitAsync(context.RequestAborted);
        _watchGate.Release();
        lock (_lock)
        {
            if (from is { } start && start < _compactedUpTo)
            {
                watcher.Events.Writer.TryWrite(Line("ERROR", StatusObject(HttpStatusCode.Gone, "Expired", $"too old resource version: {start} ({_compactedUpTo})")));
                watcher.Events.Writer.TryComplete();
            }
            else
            {
                // No version: the real server starts with synthetic ADDED events for what exists.
                var replay = from is { } after
                    ? _events.Where(e => e.Version > after && e.Collection == collection && InNamespace(e.Object, ns) && selector.Matches(e.Object)).Select(e => Line(e.Type, e.Object))
                    : _objects.Where(o => InScope(o.Key, collection, ns) && selector.Matches(o.Value)).Select(o => Line("ADDED", o.Value));
                foreach (var line in replay)
                {
                    watcher.Events.Writer.TryWrite(line);
                }
                _watchers.Add(watcher);
            }
        }
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var line in watcher.Events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            if (watcher.Cut)
            {
                // Half an event, then the connection goes: what a client sees when a proxy or node dies.
                await context.Response.Body.WriteAsync("{\"type\":\"MODIFIED\",\"object\":{\"kind\""u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <summary>Writes an object under the next resourceVersion and tells the watches; caller holds the lock.</summary>
    private JsonObject Store(string collection, string ns, string name, JsonObject resource, string type, JsonObject? keepStatusOf)
    {
        var metadata = resource["metadata"] as JsonObject ?? [];
        resource["metadata"] = metadata;
        metadata["name"] = name;
        metadata["namespace"] = ns;
        var previous = _objects.GetValueOrDefault(Key(collection, ns, name));
        metadata["uid"] = previous?["metadata"]?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = previous?["metadata"]?["creationTimestamp"]?.DeepClone() ?? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        // metadata.generation counts spec changes only (status subresource on): 1 at creation, +1
        // when a write of the resource changes spec, unchanged by status writes.
        var generation = previous?["metadata"]?["generation"]?.GetValue<long>() ?? 0;
        if (previous is null)
        {
            generation = 1;
        }
        else if (keepStatusOf is not null && previous["spec"]?.ToJsonString() != resource["spec"]?.ToJsonString())
        {
            generation++;
        }
        metadata["generation"] = generation;
        if (keepStatusOf is not null)
        {
            // A write of the resource itself never changes status (the status subresource is on).
            resource.Remove("status");
            if (keepStatusOf["status"] is { } status)
            {
                resource["status"] = status.DeepClone();
            }
        }
        Bump(resource);
        _objects[Key(collection, ns, name)] = resource;
        Publish(collection, type, resource);
        return resource.DeepClone().AsObject();
    }

    /// <summary>The object with a new status and its spec and metadata as stored: a status write changes nothing else.</summary>
    private static JsonObject WithStatus(JsonObject current, JsonNode? status)
    {
        var updated = current.DeepClone().AsObject();
        updated.Remove("status");
        if (status is not null)
        {
            updated["status"] = status.DeepClone();
        }
        return updated;
    }

    private JsonObject Bump(JsonObject resource)
    {
        _version++;
        ((JsonObject)resource["metadata"]!)["resourceVersion"] = Version();
        return resource;
    }

    private void Publish(string collection, string type, JsonObject resource)
    {
        _events.Add((_version, collection, type, resource.DeepClone().AsObject()));
        var line = Line(type, resource);
        foreach (var watcher in _watchers.Where(w => w.Collection == collection && InNamespace(resource, w.Namespace) && w.Selector.Matches(resource)))
        {
            watcher.Events.Writer.TryWrite(line);
        }
    }

    private string Version() => _version.ToString(CultureInfo.InvariantCulture);

    private static string Line(string type, JsonObject resource) =>
        new JsonObject { ["type"] = type, ["object"] = resource.DeepClone() }.ToJsonString() + "\n";

    private static bool TryRoute(string[] s, out string collection, out string? ns, out string? name, out string? subresource)
    {
        (collection, ns, name, subresource) = ("", null, null, null);
        string[] rest;
        if (s is ["api", "v1", .. var core])
        {
            collection = "v1/";
            rest = core;
        }
        else if (s is ["apis", var group, var version, .. var inGroup] && (Groups.Contains($"{group}/{version}") || $"{group}/{version}" is LeaseGroup or DiscoveryGroup))
        {
            collection = $"{group}/{version}/";
            rest = inGroup;
        }
        else
        {
            return false;
        }
        if (rest is ["namespaces", var n, .. var inNamespace])
        {
            ns = n;
            rest = inNamespace;
        }
        if (rest.Length is 0 or > 3)
        {
            return false;
        }
        var plural = rest[0];
        var custom = collection is not ("v1/" or LeaseGroup + "/" or DiscoveryGroup + "/");
        var known = collection switch
        {
            "v1/" => CorePlurals.Contains(plural),
            LeaseGroup + "/" => plural == "leases",
            DiscoveryGroup + "/" => plural == "endpointslices",
            _ => Plurals.Contains(plural),
        };
        if (!known)
        {
            return false;
        }
        collection += plural;
        name = rest.Length > 1 ? rest[1] : null;
        subresource = rest.Length > 2 ? rest[2] : null;
        // Only the custom resources have a status subresource here.
        return subresource is null || (subresource == "status" && custom);
    }

    private static (string Collection, string Namespace, string Name) Locate(JsonObject resource)
    {
        var apiVersion = resource["apiVersion"]!.GetValue<string>();
        var kind = resource["kind"]!.GetValue<string>();
        var collection = $"{apiVersion}/{kind.ToLowerInvariant()}s";
        return (collection, resource["metadata"]!["namespace"]!.GetValue<string>(), resource["metadata"]!["name"]!.GetValue<string>());
    }

    private static string Key(string collection, string ns, string name) => $"{collection}|{ns}|{name}";

    private static bool InScope(string key, string collection, string? ns) =>
        key.StartsWith(collection + "|" + (ns is null ? "" : ns + "|"), StringComparison.Ordinal);

    private static bool InNamespace(JsonObject resource, string? ns) =>
        ns is null || resource["metadata"]?["namespace"]?.GetValue<string>() == ns;

    private static string Resource(string collection)
    {
        var parts = collection.Split('/');
        return parts.Length == 3 ? $"{parts[2]}.{parts[0]}" : parts[1];
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext context) =>
        (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject) ?? [];

    private static JsonObject StatusObject(HttpStatusCode code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = (int)code,
    };

    private static async Task WriteStatusAsync(HttpContext context, HttpStatusCode code, string reason, string message)
    {
        context.Response.StatusCode = (int)code;
        await context.Response.WriteAsJsonAsync(StatusObject(code, reason, message));
    }

    public async ValueTask DisposeAsync()
    {
        CutWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _watchGate.Dispose();
    }

    private sealed class Watcher(string collection, string? ns, bool bookmarks, LabelSelector selector)
    {
        public LabelSelector Selector { get; } = selector;

        public string Collection { get; } = collection;

        public string? Namespace { get; } = ns;

        public bool Bookmarks { get; } = bookmarks;

        public bool Cut { get; set; }

        public Channel<string> Events { get; } = Channel.CreateUnbounded<string>();
    }
}
