using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Kubernetes;

/// <summary>
/// Configuration kept in a Kubernetes cluster: Upstreams and VirtualServices as custom resources
/// (group <c>gloo.solo.io/v1</c> by default, so Gloo 0.x manifests apply unchanged), verdicts in
/// their status subresource, secrets from Kubernetes Secrets. Updates carry the resourceVersion
/// (a stale one is a 409, i.e. <see cref="StoreConflictException"/>).
/// </summary>
public sealed partial class KubernetesStore : IConfigStore, IDisposable
{
    private static readonly ConfigKind[] Kinds = [ConfigKind.Upstream, ConfigKind.VirtualService];
    private readonly KubernetesStoreOptions _options;
    private readonly KubernetesApi _api;
    private readonly CustomResources _resources;
    private readonly ILogger _logger;

    /// <summary>
    /// The namespace of each object of the last snapshot built: with --all-namespaces a verdict
    /// or a delete by name must go where the object lives, not to --namespace.
    /// </summary>
    private volatile IReadOnlyDictionary<(ConfigKind, string), string> _homes = new Dictionary<(ConfigKind, string), string>();

    /// <summary>The spec generation of each resourceVersion the store has delivered, so a verdict can be checked against it.</summary>
    private readonly ResourceGenerations _generations = new();

    public KubernetesStore(KubernetesStoreOptions options, ILogger? logger = null)
        : this(options, KubernetesApi.Configure(options), logger)
    {
    }

    public KubernetesStore(KubernetesStoreOptions options, k8s.KubernetesClientConfiguration cluster, ILogger? logger = null)
    {
        _options = options;
        _api = new KubernetesApi(cluster);
        _resources = new CustomResources(options);
        _logger = logger ?? NullLogger.Instance;
    }

    internal KubernetesApi Api => _api;

    internal KubernetesStoreOptions Options => _options;

    /// <summary>Where the store reads, for messages: the API server and the namespace(s).</summary>
    public string Description => $"kubernetes {_api.BaseUri} namespace {(_options.AllNamespaces ? "(all)" : _options.Namespace)}";

    private string? WatchedNamespace => _options.AllNamespaces ? null : _options.Namespace;

    private string SecretsPath => WatchedNamespace is { } ns ? $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/secrets" : "/api/v1/secrets";

    public async Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var upstreams = await ListAsync(_resources.CollectionPath(ConfigKind.Upstream, WatchedNamespace), cancellationToken);
        var services = await ListAsync(_resources.CollectionPath(ConfigKind.VirtualService, WatchedNamespace), cancellationToken);
        var secrets = await ListAsync(SecretsPath, cancellationToken);
        return Build(upstreams, services, secrets);
    }

    public async IAsyncEnumerable<ConfigSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Changed() => signal.Writer.TryWrite(true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ResourceWatch Watch(string path) => new(_api, path, Changed, _options.RetryDelay, _logger);
        var upstreams = Watch(_resources.CollectionPath(ConfigKind.Upstream, WatchedNamespace));
        var services = Watch(_resources.CollectionPath(ConfigKind.VirtualService, WatchedNamespace));
        var secrets = Watch(SecretsPath);
        ResourceWatch[] watches = [upstreams, services, secrets];
        var running = watches.Select(w => Task.Run(() => w.RunAsync(stop.Token), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(watches.Select(w => w.Listed)).WaitAsync(cancellationToken);
            string? last = null;
            while (true)
            {
                // Drain the signal first: a change arriving while this snapshot is built signals again.
                signal.Reader.TryRead(out _);
                var snapshot = Build(upstreams.Items, services.Items, secrets.Items);
                // Status writes and bookmarks move resourceVersions but not meaning: no new snapshot.
                var fingerprint = Fingerprint(snapshot);
                if (fingerprint != last)
                {
                    last = fingerprint;
                    yield return snapshot;
                }
                await signal.Reader.ReadAsync(cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async Task<IConfigObject> CreateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        var ns = NamespaceOf(obj);
        var created = await CallAsync(obj.Kind, obj.Name, () =>
            _api.WriteAsync(HttpMethod.Post, _resources.CollectionPath(obj.Kind, ns), _resources.Encode(obj, ns), cancellationToken));
        return Read(obj.Kind, created);
    }

    public async Task<IConfigObject> UpdateAsync(IConfigObject obj, CancellationToken cancellationToken)
    {
        var ns = NamespaceOf(obj);
        var path = _resources.ItemPath(obj.Kind, ns, obj.Name);
        var unconditional = string.IsNullOrEmpty(obj.Metadata.ResourceVersion);
        // The API server requires a resourceVersion on every update; an unconditional update reads
        // the current one and retries when a writer slips in between.
        for (var attempt = 0; ; attempt++)
        {
            var resource = _resources.Encode(obj, ns);
            if (unconditional)
            {
                var current = await _api.GetAsync(path, cancellationToken)
                    ?? throw new StoreNotFoundException($"{obj.Kind.DisplayName()} '{obj.Name}' does not exist in namespace {ns}");
                resource["metadata"]!["resourceVersion"] = current["metadata"]?["resourceVersion"]?.GetValue<string>();
            }
            try
            {
                var updated = await CallAsync(obj.Kind, obj.Name, () => _api.WriteAsync(HttpMethod.Put, path, resource, cancellationToken));
                return Read(obj.Kind, updated);
            }
            catch (StoreConflictException) when (unconditional && attempt < 5)
            {
            }
        }
    }

    public Task DeleteAsync(ConfigKind kind, string name, CancellationToken cancellationToken) =>
        CallAsync(kind, name, async () =>
        {
            await _api.DeleteAsync(_resources.ItemPath(kind, HomeOf(kind, name), name), cancellationToken);
            return new JsonObject();
        });

    /// <summary>
    /// Writes a verdict to the status subresource; the spec and the user's fields are not touched.
    /// A verdict on a known version lands only while the spec is the one judged: a status write
    /// moves a custom resource's resourceVersion too, so the spec is identified by its
    /// <c>metadata.generation</c> (what Kubernetes controllers compare), remembered for each
    /// version the watch delivered. The write is a PUT of the status on the resourceVersion just
    /// read, so a spec change between the read and the write is a 409, and the check runs again.
    /// An object that did not load (null version) gets a merge patch: its verdict is about what is there.
    /// </summary>
    public async Task WriteStatusAsync(ConfigKind kind, string name, string? resourceVersion, Status status, CancellationToken cancellationToken)
    {
        var path = _resources.ItemPath(kind, HomeOf(kind, name), name);
        if (resourceVersion is null)
        {
            await CallAsync(kind, name, () => _api.WriteAsync(HttpMethod.Patch, path + "/status",
                new JsonObject { ["status"] = CustomResources.EncodeStatus(status) }, cancellationToken));
            return;
        }
        var judged = _generations.Judged(kind, name, resourceVersion);
        for (var attempt = 1; ; attempt++)
        {
            var current = await _api.GetAsync(path, cancellationToken)
                ?? throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist");
            var generation = current["metadata"]?["generation"]?.GetValue<long>();
            var version = current["metadata"]?["resourceVersion"]?.GetValue<string>();
            var same = judged is { } g && generation is { } now ? g == now : version == resourceVersion;
            if (!same)
            {
                throw new StoreConflictException(judged is null || generation is null
                    ? $"{kind.DisplayName()} '{name}': the status judged resource version {resourceVersion}, but the current one is {version}"
                    : $"{kind.DisplayName()} '{name}': the status judged generation {judged} (resource version {resourceVersion}), but the spec is now at generation {generation}");
            }
            var written = current["status"] is JsonObject old ? (JsonObject)old.DeepClone() : [];
            foreach (var (field, value) in CustomResources.EncodeStatus(status).ToList())
            {
                written[field] = value?.DeepClone();
            }
            if (status.Reason is null)
            {
                written.Remove("reason");
            }
            current["status"] = written;
            try
            {
                await CallAsync(kind, name, () => _api.WriteAsync(HttpMethod.Put, path + "/status", current, cancellationToken));
                return;
            }
            catch (StoreConflictException) when (attempt < 5)
            {
                // Something wrote the resource since it was read: check the generation again.
            }
        }
    }

    public void Dispose() => _api.Dispose();

    private string HomeOf(ConfigKind kind, string name) => _homes.GetValueOrDefault((kind, name)) ?? _options.Namespace;

    private string NamespaceOf(IConfigObject obj) => obj.Metadata.Namespace is { Length: > 0 } ns ? ns : _options.Namespace;

    private async Task<IReadOnlyList<JsonObject>> ListAsync(string path, CancellationToken cancellationToken)
    {
        var list = await _api.GetAsync(path, cancellationToken)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"{path} was not found (is the CustomResourceDefinition installed?)");
        return [.. (list["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    private IConfigObject Read(ConfigKind kind, JsonObject resource) =>
        _resources.Decode(kind, resource) is { Object: { } obj } ? obj
            : throw new ConfigException(_resources.Decode(kind, resource).Error!);

    private ConfigSnapshot Build(IReadOnlyList<JsonObject> upstreams, IReadOnlyList<JsonObject> services, IReadOnlyList<JsonObject> secrets)
    {
        var errors = new List<ConfigError>();
        var homes = new Dictionary<(ConfigKind, string), string>();
        List<T> Decode<T>(ConfigKind kind, IReadOnlyList<JsonObject> items) where T : IConfigObject
        {
            var objects = new List<T>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                var decoded = _resources.Decode(kind, item);
                if (decoded.Name is { } name && item["metadata"]?["namespace"]?.GetValue<string>() is { } ns)
                {
                    // Rejected objects too: their verdict goes where they live.
                    homes.TryAdd((kind, name), ns);
                }
                if (decoded.Error is { } error)
                {
                    errors.Add(error);
                }
                else if (!seen.Add(decoded.Object!.Name))
                {
                    // With --all-namespaces two namespaces can hold the same name; names are the key.
                    errors.Add(new ConfigError($"the name is taken by a {kind.DisplayName()} in another namespace")
                    {
                        Source = _resources.SourceOf(kind, decoded.Object.Metadata.Namespace ?? "", decoded.Object.Name),
                        Kind = kind,
                        ObjectName = decoded.Object.Name,
                        Field = "metadata.name",
                    });
                }
                else
                {
                    objects.Add((T)decoded.Object);
                    if (item["metadata"]?["generation"]?.GetValue<long>() is { } generation && decoded.Object.Metadata.ResourceVersion is { } version)
                    {
                        _generations.Saw(kind, decoded.Object.Name, version, generation);
                    }
                }
            }
            return [.. objects.OrderBy(o => o.Name, StringComparer.Ordinal)];
        }
        var secretMaps = new Dictionary<string, ValueMap>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            var name = secret["metadata"]?["name"]?.GetValue<string>();
            if (name is null)
            {
                continue;
            }
            try
            {
                secretMaps[name] = CustomResources.DecodeSecret(secret);
            }
            catch (FormatException)
            {
                errors.Add(new ConfigError("data is not base64") { Source = $"secrets/{secret["metadata"]?["namespace"]}/{name}" });
            }
        }
        var upstreamObjects = Decode<Upstream>(ConfigKind.Upstream, upstreams);
        var serviceObjects = Decode<VirtualService>(ConfigKind.VirtualService, services);
        _homes = homes;
        var (discovered, files) = Discovered(upstreams, upstreamObjects.Select(u => u.Name));
        return new ConfigSnapshot
        {
            Upstreams = new(upstreamObjects),
            VirtualServices = new(serviceObjects),
            LoadErrors = new(errors),
            Secrets = secretMaps,
            Discovered = discovered,
            Files = files,
        };
    }

    /// <summary>What the snapshot means: objects without version or status, discovered records, errors, secrets.</summary>
    private static string Fingerprint(ConfigSnapshot snapshot)
    {
        var text = new System.Text.StringBuilder();
        foreach (var obj in snapshot.Upstreams.Cast<IConfigObject>().Concat(snapshot.VirtualServices))
        {
            text.Append(ConfigCodec.ToJson(StoredObjects.Strip(obj)).ToJsonString()).Append('\n');
        }
        // What discovery wrote into statuses is meaning too (a verdict beside it is not).
        foreach (var (name, record) in snapshot.Discovered.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(System.Text.Encoding.UTF8.GetString(DiscoveryRecordCodec.Write(name, record, 0))).Append('\n');
            foreach (var (fileRef, bytes) in record.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                text.Append(fileRef).Append('=').Append(Convert.ToBase64String(bytes.Span)).Append('\n');
            }
        }
        foreach (var error in snapshot.LoadErrors)
        {
            text.Append(error).Append('\n');
        }
        foreach (var (name, secret) in snapshot.Secrets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(':');
            foreach (var (key, value) in secret)
            {
                text.Append(key).Append('=').Append(value).Append(';');
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Maps the API server's answers onto the store contract: 409 conflict, 404 not found.</summary>
    private static async Task<JsonObject> CallAsync(ConfigKind kind, string name, Func<Task<JsonObject>> call)
    {
        try
        {
            return await call();
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            throw new StoreConflictException($"{kind.DisplayName()} '{name}': {e.Message}");
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StoreNotFoundException($"{kind.DisplayName()} '{name}' does not exist ({e.Message})");
        }
    }
}
