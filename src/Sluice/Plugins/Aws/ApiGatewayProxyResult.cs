using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sluice.Plugins.Aws;

/// <summary>
/// A Lambda's API Gateway proxy-integration result (<c>{statusCode, headers,
/// multiValueHeaders, body, isBase64Encoded}</c>), read into an HTTP response.
/// </summary>
internal sealed class ApiGatewayProxyResult
{
    private static readonly HashSet<string> ManagedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
    };

    private ApiGatewayProxyResult(int statusCode, List<KeyValuePair<string, string>> headers, byte[] body)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
    }

    public int StatusCode { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    public byte[] Body { get; }

    /// <summary>The result, or null with <paramref name="error"/> saying what is wrong with it.</summary>
    public static ApiGatewayProxyResult? TryRead(ReadOnlyMemory<byte> payload, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the function's result is not a JSON object";
                return null;
            }
            int status;
            if (!root.TryGetProperty("statusCode", out var code))
            {
                error = "statusCode is missing";
                return null;
            }
            {
                if (!(code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out status)
                        || code.ValueKind == JsonValueKind.String && int.TryParse(code.GetString(), out status))
                    || status is < 100 or > 599)
                {
                    error = $"statusCode {code.GetRawText()} is not an HTTP status";
                    return null;
                }
            }
            var headers = new List<KeyValuePair<string, string>>();
            if (root.TryGetProperty("headers", out var single) && single.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in single.EnumerateObject())
                {
                    AddHeader(headers, header.Name, header.Value);
                }
            }
            if (root.TryGetProperty("multiValueHeaders", out var multi) && multi.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in multi.EnumerateObject())
                {
                    // As in API Gateway, multiValueHeaders win over headers of the same name.
                    headers.RemoveAll(h => string.Equals(h.Key, header.Name, StringComparison.OrdinalIgnoreCase));
                    if (header.Value.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var value in header.Value.EnumerateArray())
                        {
                            AddHeader(headers, header.Name, value);
                        }
                    }
                }
            }
            var base64 = root.TryGetProperty("isBase64Encoded", out var flag) && flag.ValueKind == JsonValueKind.True;
            byte[] body = [];
            if (root.TryGetProperty("body", out var text) && text.ValueKind != JsonValueKind.Null)
            {
                var content = text.ValueKind == JsonValueKind.String ? text.GetString()! : text.GetRawText();
                if (base64)
                {
                    try
                    {
                        body = Convert.FromBase64String(content);
                    }
                    catch (FormatException)
                    {
                        error = "body is marked isBase64Encoded but is not base64";
                        return null;
                    }
                }
                else
                {
                    body = Encoding.UTF8.GetBytes(content);
                }
            }
            return new ApiGatewayProxyResult(status, headers, body);
        }
        catch (JsonException)
        {
            error = "the function's result is not JSON";
            return null;
        }
    }

    public void Apply(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers.Append(name, value);
        }
    }

    private static void AddHeader(List<KeyValuePair<string, string>> headers, string name, JsonElement value)
    {
        if (ManagedHeaders.Contains(name) || name.Length == 0)
        {
            return;
        }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (text.Any(c => c is '\r' or '\n' or '\0'))
        {
            return;
        }
        headers.Add(new(name, text));
    }
}
