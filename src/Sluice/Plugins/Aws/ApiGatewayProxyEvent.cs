using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sluice.Plugins.Aws;

/// <summary>
/// The request as an API Gateway (REST API, payload 1.0) proxy event, so a Lambda written for
/// API Gateway runs unchanged behind Sluice.
/// </summary>
internal static class ApiGatewayProxyEvent
{
    public static byte[] Build(HttpContext context, ReadOnlyMemory<byte> body)
    {
        var request = context.Request;
        var output = new MemoryStream(512 + body.Length * 4 / 3);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            var path = request.PathBase.Add(request.Path).Value ?? "/";
            json.WriteString("resource", path);
            json.WriteString("path", path);
            json.WriteString("httpMethod", request.Method);

            json.WriteStartObject("headers");
            foreach (var (name, values) in request.Headers)
            {
                json.WriteString(name, values.ToString());
            }
            json.WriteEndObject();
            json.WriteStartObject("multiValueHeaders");
            foreach (var (name, values) in request.Headers)
            {
                WriteArray(json, name, values);
            }
            json.WriteEndObject();

            if (request.Query.Count == 0)
            {
                json.WriteNull("queryStringParameters");
                json.WriteNull("multiValueQueryStringParameters");
            }
            else
            {
                json.WriteStartObject("queryStringParameters");
                foreach (var (name, values) in request.Query)
                {
                    // API Gateway keeps the last value in the single-valued map.
                    json.WriteString(name, values.Count > 0 ? values[^1] : "");
                }
                json.WriteEndObject();
                json.WriteStartObject("multiValueQueryStringParameters");
                foreach (var (name, values) in request.Query)
                {
                    WriteArray(json, name, values);
                }
                json.WriteEndObject();
            }
            json.WriteNull("pathParameters");
            json.WriteNull("stageVariables");

            json.WriteStartObject("requestContext");
            json.WriteString("httpMethod", request.Method);
            json.WriteString("path", path);
            json.WriteString("protocol", request.Protocol);
            json.WriteString("requestId", context.TraceIdentifier);
            json.WriteStartObject("identity");
            json.WriteString("sourceIp", context.Connection.RemoteIpAddress?.ToString());
            json.WriteString("userAgent", request.Headers.UserAgent.ToString());
            json.WriteEndObject();
            json.WriteEndObject();

            if (body.Length == 0)
            {
                json.WriteNull("body");
                json.WriteBoolean("isBase64Encoded", false);
            }
            else if (IsText(request.ContentType) && IsUtf8(body.Span))
            {
                json.WriteString("body", Encoding.UTF8.GetString(body.Span));
                json.WriteBoolean("isBase64Encoded", false);
            }
            else
            {
                json.WriteBase64String("body", body.Span);
                json.WriteBoolean("isBase64Encoded", true);
            }
            json.WriteEndObject();
        }
        return output.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, Microsoft.Extensions.Primitives.StringValues values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>Bodies API Gateway passes as text; anything else (or unknown) travels base64-encoded.</summary>
    private static bool IsText(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("json", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase));

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
