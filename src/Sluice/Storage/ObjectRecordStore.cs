using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// Reads and writes <c>.sluice/objects/&lt;kind&gt;/&lt;name&gt;.json</c>, one small file per object:
/// <code>{"name": "x", "resource_version": "3", "hash": "…", "source": "upstreams/a.yaml",
///  "status": {"state": "Accepted", "reason": null}}</code>
/// One file per object, so a status write touches a few bytes however many objects there are.
/// Callers hold <see cref="FileStoreLock"/>.
/// </summary>
internal sealed class ObjectRecordStore(string stateDirectory)
{
    private readonly string _root = Path.Combine(stateDirectory, "objects");

    public Dictionary<string, ObjectRecord> ReadAll(ConfigKind kind)
    {
        var records = new Dictionary<string, ObjectRecord>(StringComparer.Ordinal);
        var folder = Path.Combine(_root, kind.Plural());
        if (!Directory.Exists(folder))
        {
            return records;
        }
        foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
        {
            if (Path.GetFileName(path).StartsWith('.'))
            {
                continue;
            }
            if (TryRead(path) is { } entry)
            {
                records[entry.Name] = entry.Record;
            }
        }
        return records;
    }

    public ObjectRecord? Read(ConfigKind kind, string name) => TryRead(PathOf(kind, name))?.Record;

    public void Write(ConfigKind kind, string name, ObjectRecord record)
    {
        var json = new JsonObject
        {
            ["name"] = name,
            ["resource_version"] = record.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hash"] = record.Hash,
            ["source"] = record.Source,
        };
        if (record.Status is { } status)
        {
            json["status"] = new JsonObject { ["state"] = status.State.ToString(), ["reason"] = status.Reason };
        }
        AtomicFile.Write(PathOf(kind, name), Encoding.UTF8.GetBytes(json.ToJsonString(Indented)));
    }

    public void Delete(ConfigKind kind, string name) => AtomicFile.TryDelete(PathOf(kind, name));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private string PathOf(ConfigKind kind, string name) => Path.Combine(_root, kind.Plural(), FileNames.Escape(name) + ".json");

    private static (string Name, ObjectRecord Record)? TryRead(string path)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllBytes(path)) is not JsonObject json
                || json["name"]?.GetValue<string>() is not { } name
                || json["hash"]?.GetValue<string>() is not { } hash
                || !long.TryParse(json["resource_version"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                return null;
            }
            Status? status = null;
            if (json["status"] is JsonObject statusJson
                && Enum.TryParse<StatusState>(statusJson["state"]?.GetValue<string>(), out var state))
            {
                status = new Status(state, statusJson["reason"]?.GetValue<string>());
            }
            return (name, new ObjectRecord(version, hash, json["source"]?.GetValue<string>(), status));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            // Missing (deleted meanwhile) or tampered with: the object starts a fresh record, which
            // is better than refusing to load the user's config over our own bookkeeping.
            return null;
        }
    }
}
