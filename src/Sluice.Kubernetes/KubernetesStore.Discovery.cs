using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Kubernetes;

/// <summary>
/// The Kubernetes store's half of <see cref="IDiscoveryStore"/>: what discovery found for an
/// upstream is written into that Upstream resource's <b>status</b>, beside the verdict, the way
/// Gloo's discovery wrote what it found back to the resource, but never into the user's spec
/// (<c>kubectl apply</c> of the user's manifest neither sees nor overwrites it):
/// <code>
/// status:
///   state: Accepted
///   discovered:        {source, problems, files, found: {functions, service_info}}   (DiscoveryRecordCodec)
///   discovered_files:  {&lt;ref&gt;: &lt;base64&gt;}                                      (gRPC descriptor sets)
/// </code>
/// The status subresource is what the controller may write (RBAC: update/patch on
/// <c>upstreams/status</c> only), and a status write never changes the spec or its generation.
/// A record's version is the resource's resourceVersion: a write is a PUT of the status with
/// that version, so the API server refuses it (409) when anything (a new spec, a verdict) changed
/// the resource since it was read, and the discovery writer reads again and retries.
/// </summary>
public sealed partial class KubernetesStore : IDiscoveryStore
{
    private const string DiscoveredField = "discovered";
    private const string DiscoveredFilesField = "discovered_files";
    private const int DeleteAttempts = 5;

    public async Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        var resource = await _api.GetAsync(UpstreamPath(upstream), cancellationToken).ConfigureAwait(false);
        return resource is null ? null : RecordOf(resource, upstream);
    }

    public async Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = UpstreamPath(upstream);
        var resource = await _api.GetAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new StoreConflictException($"discovery record of upstream '{upstream}': the Upstream resource is gone");
        var stored = RecordOf(resource, upstream);
        if (record.Version != stored?.Version)
        {
            throw Stale(upstream, record.Version, stored?.Version);
        }
        var status = resource["status"] as JsonObject ?? [];
        status[DiscoveredField] = JsonNode.Parse(DiscoveryRecordCodec.Write(upstream, record, 0));
        status.Remove(DiscoveredFilesField);
        if (record.Files.Count > 0)
        {
            var files = new JsonObject();
            foreach (var (fileRef, bytes) in record.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                files[fileRef] = Convert.ToBase64String(bytes.Span);
            }
            status[DiscoveredFilesField] = files;
        }
        resource["status"] = status;
        var written = await PutStatusAsync(upstream, path, resource, record.Version, cancellationToken).ConfigureAwait(false);
        return record with { Version = VersionOf(written) };
    }

    public async Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        var path = UpstreamPath(upstream);
        for (var attempt = 1; ; attempt++)
        {
            var resource = await _api.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (resource?["status"] is not JsonObject status || (status[DiscoveredField] is null && status[DiscoveredFilesField] is null))
            {
                return;
            }
            status.Remove(DiscoveredField);
            status.Remove(DiscoveredFilesField);
            try
            {
                await PutStatusAsync(upstream, path, resource, VersionOf(resource), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreConflictException) when (attempt < DeleteAttempts)
            {
                // A verdict (or a new spec) landed meanwhile: remove the record from what is there now.
            }
        }
    }

    /// <summary>The record kept in a resource's status, its version the resource's; null when there is none or it is damaged.</summary>
    internal static DiscoveryRecord? RecordOf(JsonObject resource, string upstream)
    {
        if (resource["status"]?[DiscoveredField] is not JsonObject found)
        {
            return null;
        }
        var files = resource["status"]?[DiscoveredFilesField] as JsonObject;
        var record = DiscoveryRecordCodec.Read(Encoding.UTF8.GetBytes(found.ToJsonString()), $"upstreams/{upstream} status.{DiscoveredField}", fileRef =>
        {
            try
            {
                return files?[fileRef] is JsonValue value && value.TryGetValue<string>(out var base64) ? Convert.FromBase64String(base64) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        });
        return record is null ? null : record with { Version = VersionOf(resource) };
    }

    private async Task<JsonObject> PutStatusAsync(string upstream, string path, JsonObject resource, string? expected, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.WriteAsync(HttpMethod.Put, path + "/status", resource, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            throw Stale(upstream, expected, null, e.Message);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StoreConflictException($"discovery record of upstream '{upstream}': the Upstream resource is gone ({e.Message})");
        }
    }

    private string UpstreamPath(string upstream) => _resources.ItemPath(ConfigKind.Upstream, HomeOf(ConfigKind.Upstream, upstream), upstream);

    private static string? VersionOf(JsonObject resource) => resource["metadata"]?["resourceVersion"]?.GetValue<string>();

    private static StoreConflictException Stale(string upstream, string? version, string? current, string? why = null) =>
        new($"discovery record of upstream '{upstream}': version {version ?? "none"} is stale ({why ?? $"current is {current ?? "none"}"})");

    /// <summary>Records in the snapshot's upstreams, and their artifacts among its files.</summary>
    private static (Dictionary<string, DiscoveryRecord> Records, Dictionary<string, ReadOnlyMemory<byte>> Files) Discovered(
        IReadOnlyList<JsonObject> upstreams, IEnumerable<string> served)
    {
        var wanted = served.ToHashSet(StringComparer.Ordinal);
        var records = new Dictionary<string, DiscoveryRecord>(StringComparer.Ordinal);
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var item in upstreams)
        {
            if (item["metadata"]?["name"]?.GetValue<string>() is { } name && wanted.Contains(name) && RecordOf(item, name) is { } record)
            {
                records[name] = record;
                foreach (var (fileRef, bytes) in record.Files)
                {
                    files.TryAdd(fileRef, bytes);
                }
            }
        }
        return (records, files);
    }
}
