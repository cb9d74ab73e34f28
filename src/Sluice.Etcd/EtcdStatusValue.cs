using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Sluice.Api;

namespace Sluice.Etcd;

/// <summary>
/// A status key's value: the verdict and the object version it judged. A verdict is shown only
/// while that version is the object's mod revision, so even a status read beside a newer object
/// never passes for that object's verdict.
/// <code>{"resource_version": "42", "state": "Rejected", "reason": "…"}</code>
/// </summary>
internal static class EtcdStatusValue
{
    public static ByteString Write(long resourceVersion, Status status)
    {
        var json = new JsonObject
        {
            ["resource_version"] = resourceVersion.ToString(CultureInfo.InvariantCulture),
            ["state"] = status.State.ToString(),
            ["reason"] = status.Reason,
        };
        return ByteString.CopyFromUtf8(json.ToJsonString());
    }

    /// <summary>The verdict on <paramref name="resourceVersion"/>; null when the value judged another version or is not ours.</summary>
    public static Status? Read(ByteString value, long resourceVersion)
    {
        try
        {
            if (JsonNode.Parse(value.Span) is JsonObject json
                && long.TryParse(json["resource_version"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var judged)
                && judged == resourceVersion
                && Enum.TryParse<StatusState>(json["state"]?.GetValue<string>(), out var state))
            {
                return new Status(state, json["reason"]?.GetValue<string>());
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Written by hand or by something else: no verdict, the object shows as pending.
        }
        return null;
    }
}
