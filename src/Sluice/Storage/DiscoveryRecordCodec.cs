using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// A <see cref="DiscoveryRecord"/> as JSON, for any store (the file store's <c>.sluice/discovery/</c>,
/// an etcd value). Functions and service info are written as an upstream-shaped object, so they
/// go through the same codec as a user's upstream; files are listed by ref and stored apart.
/// <code>{"version": "3", "source": "…", "problems": ["…"], "files": ["grpc-discovery.x.descriptors"],
///  "found": {"name": "x", "type": "discovered", "functions": [...], "service_info": {...}}}</code>
/// </summary>
public static class DiscoveryRecordCodec
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static byte[] Write(string upstream, DiscoveryRecord record, long version)
    {
        var found = ConfigCodec.ToJson(new Upstream
        {
            Name = upstream,
            Type = "discovered",
            Functions = record.Functions,
            ServiceInfo = record.ServiceInfo,
        });
        var json = new JsonObject
        {
            ["version"] = version.ToString(CultureInfo.InvariantCulture),
            ["source"] = record.Source,
            ["problems"] = new JsonArray([.. record.Problems.Select(p => JsonValue.Create(p))]),
            ["files"] = new JsonArray([.. record.Files.Keys.Order(StringComparer.Ordinal).Select(f => JsonValue.Create(f))]),
            ["found"] = found,
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString(Indented));
    }

    /// <summary>
    /// The record (without its files: <paramref name="readFile"/> supplies them by ref), or null
    /// when the bytes are not a record: our own bookkeeping damaged is treated as nothing found,
    /// and the next discovery pass writes it again.
    /// </summary>
    public static DiscoveryRecord? Read(ReadOnlySpan<byte> bytes, string source, Func<string, ReadOnlyMemory<byte>?> readFile)
    {
        try
        {
            if (JsonNode.Parse(bytes) is not JsonObject json
                || json["found"] is not JsonObject found
                || json["source"]?.GetValue<string>() is not { } origin)
            {
                return null;
            }
            var documents = ConfigCodec.ReadDocuments(found.ToJsonString(), ConfigKind.Upstream, source);
            if (documents is not [{ Object: Upstream upstream }])
            {
                return null;
            }
            var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
            foreach (var node in json["files"] as JsonArray ?? [])
            {
                var fileRef = node!.GetValue<string>();
                if (readFile(fileRef) is not { } content)
                {
                    return null;
                }
                files[fileRef] = content;
            }
            return new DiscoveryRecord
            {
                Version = json["version"]?.GetValue<string>(),
                Source = origin,
                ServiceInfo = upstream.ServiceInfo,
                Functions = upstream.Functions,
                Problems = new((json["problems"] as JsonArray ?? []).Select(p => p!.GetValue<string>())),
                Files = files,
            };
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
