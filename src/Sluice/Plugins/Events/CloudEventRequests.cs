using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Events;

/// <summary>
/// Reads and checks a request to <c>/events</c> before event routes are matched: CloudEvents 1.0
/// in binary mode (<c>ce-*</c> headers) or structured mode (<c>application/cloudevents+json</c>,
/// the body is read, within a limit, and kept for the destination). Gloo's <c>X-Event-Type</c>
/// requests and anything else pass unchecked, as in Gloo.
/// </summary>
internal static class CloudEventRequests
{
    /// <summary>The path event routes match (Gloo's).</summary>
    public const string EventsPath = "/events";

    /// <summary>Largest structured event read to find its type.</summary>
    public const int MaxStructuredBytes = 1024 * 1024;

    private const string StructuredType = "application/cloudevents+json";
    private const string BatchType = "application/cloudevents-batch+json";

    private static readonly string[] Required = ["id", "source", "specversion", "type"];

    /// <summary>Null when the request may be matched; otherwise the answer that refuses it.</summary>
    public static async ValueTask<SluiceError?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        var mediaType = MediaType(request.ContentType);
        if (string.Equals(mediaType, BatchType, StringComparison.OrdinalIgnoreCase))
        {
            return new SluiceError(SluiceErrorCode.CloudEventsBatchUnsupported, "CloudEvents batch mode (application/cloudevents-batch+json) is not supported: send each event on its own, in binary or structured mode");
        }
        if (string.Equals(mediaType, StructuredType, StringComparison.OrdinalIgnoreCase))
        {
            return await ReadStructuredAsync(context);
        }
        var headers = request.Headers;
        if (!headers.ContainsKey("ce-specversion"))
        {
            return null;
        }
        foreach (var attribute in Required)
        {
            var value = headers["ce-" + attribute];
            if (string.IsNullOrEmpty(value))
            {
                return Malformed($"the binary-mode CloudEvent is missing the required attribute '{attribute}' (header ce-{attribute})");
            }
        }
        return CheckSpecVersion(headers["ce-specversion"].ToString());
    }

    private static async ValueTask<SluiceError?> ReadStructuredAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxStructuredBytes)
        {
            return TooLarge();
        }
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: MaxStructuredBytes);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Malformed($"the structured CloudEvent is not valid JSON: {e.Message}");
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // FileBufferingReadStream refuses to buffer past its limit (chunked bodies).
            return TooLarge();
        }
        using (document)
        {
            // The destination gets the body as sent.
            request.Body.Position = 0;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed("the structured CloudEvent must be a JSON object");
            }
            foreach (var attribute in Required)
            {
                if (!root.TryGetProperty(attribute, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
                {
                    return Malformed($"the structured CloudEvent is missing the required attribute '{attribute}' (a non-empty string)");
                }
            }
            if (CheckSpecVersion(root.GetProperty("specversion").GetString()!) is { } refused)
            {
                return refused;
            }
            context.Features.Set(new RequestEventType(root.GetProperty("type").GetString()!));
            return null;
        }
    }

    private static SluiceError? CheckSpecVersion(string version) => version == "1.0"
        ? null
        : Malformed($"unsupported CloudEvents specversion '{version}': Sluice reads CloudEvents 1.0");

    private static SluiceError Malformed(string message) => new(SluiceErrorCode.MalformedCloudEvent, message);

    private static SluiceError TooLarge() =>
        new(SluiceErrorCode.CloudEventTooLarge, $"a structured CloudEvent may be at most {MaxStructuredBytes} bytes");

    private static string? MediaType(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : null;
}
