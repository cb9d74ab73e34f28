using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Sluice.Kubernetes;

/// <summary>
/// Keeps a local copy of one collection (list, then watch), the way an informer does: the watch
/// resumes from the last resourceVersion it saw (an event's or a bookmark's), so a stream the
/// server or the network cuts loses nothing; when that version has been compacted away (410
/// Gone, on the request or as an ERROR event) it lists everything again.
/// </summary>
internal sealed partial class ResourceWatch(KubernetesApi api, string collectionPath, Action changed, TimeSpan retryDelay, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, JsonObject> _items = new(StringComparer.Ordinal);
    private string? _resourceVersion;

    /// <summary>Completes once the first list has arrived.</summary>
    public Task Listed => _listed.Task;

    /// <summary>How many times the collection was listed (the first time included): 410 Gone makes it list again.</summary>
    public int Lists { get; private set; }

    public IReadOnlyList<JsonObject> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values];
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_resourceVersion is null)
                {
                    await ListAsync(cancellationToken);
                }
                if (!await WatchAsync(cancellationToken))
                {
                    // Ended without a single line (an impatient proxy, say): pause rather than spin.
                    await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Gone)
            {
                Log.Relisting(logger, collectionPath, e.Message);
                _resourceVersion = null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Log.WatchFailed(logger, collectionPath, e.Message);
                await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var list = await api.GetAsync(collectionPath, cancellationToken)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"{collectionPath} was not found (is the CustomResourceDefinition installed?)");
        var items = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            items[KeyOf(item)] = item;
        }
        lock (_lock)
        {
            _items = items;
            _resourceVersion = list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            Lists++;
        }
        _listed.TrySetResult();
        changed();
    }

    /// <summary>Follows one watch until it ends; false when it ended without delivering anything.</summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var delivered = false;
        // The collection path may carry a query already (a labelSelector).
        var separator = collectionPath.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var path = $"{collectionPath}{separator}watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(_resourceVersion ?? "")}";
        await foreach (var watchEvent in api.WatchAsync(path, cancellationToken))
        {
            delivered = true;
            var type = watchEvent["type"]?.GetValue<string>();
            if (watchEvent["object"] is not JsonObject item)
            {
                continue;
            }
            if (type == "ERROR")
            {
                // A Status object; 410 means our version is older than what the server keeps.
                var code = item["code"]?.GetValue<int>() ?? 500;
                throw new KubernetesApiException((HttpStatusCode)code, item["message"]?.GetValue<string>() ?? "watch error");
            }
            var version = item["metadata"]?["resourceVersion"]?.GetValue<string>();
            lock (_lock)
            {
                switch (type)
                {
                    case "ADDED":
                    case "MODIFIED":
                        _items[KeyOf(item)] = item;
                        break;
                    case "DELETED":
                        _items.Remove(KeyOf(item));
                        break;
                }
                // A bookmark carries only a version: nothing changed, but the watch can resume after it.
                _resourceVersion = version ?? _resourceVersion;
            }
            if (type is "ADDED" or "MODIFIED" or "DELETED")
            {
                changed();
            }
        }
        return delivered;
    }

    private static string KeyOf(JsonObject item) =>
        $"{item["metadata"]?["namespace"]?.GetValue<string>()}/{item["metadata"]?["name"]?.GetValue<string>()}";

    private static partial class Log
    {
        [LoggerMessage(EventId = KubernetesEventIds.WatchFailed, Level = LogLevel.Warning, Message = "Kubernetes watch of {Path} failed ({Reason}); serving the last configuration and retrying")]
        public static partial void WatchFailed(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = KubernetesEventIds.Relisting, Level = LogLevel.Information, Message = "Kubernetes watch of {Path} cannot resume ({Reason}); listing it again")]
        public static partial void Relisting(ILogger logger, string path, string reason);
    }
}
