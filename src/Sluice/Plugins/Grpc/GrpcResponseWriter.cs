using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Sluice.Plan;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// Answers a gRPC response as JSON. Unary: the message (or its <c>response_body</c> field) with
/// 200. Server streaming: a JSON array written as messages arrive, or one message per line
/// (NDJSON) when the client accepts <c>application/x-ndjson</c>. A status other than OK is the
/// HTTP status google.rpc maps it to, with <c>{code, message, details}</c>; once a stream has
/// started, a failure is its last element, <c>{"error": {...}}</c>.
/// </summary>
internal static class GrpcResponseWriter
{
    private const string NdjsonType = "application/x-ndjson";

    private static readonly JsonFormatter ErrorDetailsFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromFiles(global::Google.Rpc.ErrorDetailsReflection.Descriptor, global::Google.Rpc.StatusReflection.Descriptor)));

    public static async Task WriteAsync(RouteContext context, GrpcTranscoderSpec spec, HttpBinding binding, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if ((int)response.StatusCode != 200)
        {
            // Not a gRPC answer (a proxy or a plain HTTP server on the way): gRPC's own mapping back.
            var code = GrpcStatusCodes.FromHttpStatus((int)response.StatusCode);
            await WriteErrorAsync(context, spec, code, $"the upstream answered HTTP {(int)response.StatusCode} instead of gRPC", null, cancellationToken);
            return;
        }
        if (response.Content.Headers.ContentType?.MediaType is not { } mediaType || !mediaType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            throw new GrpcResponseException($"content type '{response.Content.Headers.ContentType}' is not application/grpc");
        }
        CopyMetadata(spec.Options, response.Headers, http.Response);
        // Trailers-only: the status came with the headers, and there is no message.
        if (Header(response.Headers, "grpc-status") is not null)
        {
            await WriteStatusAsync(context, spec, response.Headers, cancellationToken);
            return;
        }

        var encoding = Header(response.Headers, "grpc-encoding");
        var maxBytes = spec.Options.MaxResponseBytes;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var message = new PooledBuffer();
        if (!binding.Method.ServerStreaming)
        {
            var received = await GrpcFrames.ReadMessageAsync(stream, message, encoding, maxBytes, cancellationToken);
            using var extra = new PooledBuffer(64);
            if (received && await GrpcFrames.ReadMessageAsync(stream, extra, encoding, maxBytes, cancellationToken))
            {
                throw new GrpcResponseException("a unary method answered more than one message");
            }
            // A unary answer is written whole after the trailers, so its trailers can be headers too.
            CopyMetadata(spec.Options, response.TrailingHeaders, http.Response);
            if (!IsOk(response.TrailingHeaders))
            {
                await WriteStatusAsync(context, spec, response.TrailingHeaders, cancellationToken);
                return;
            }
            if (!received)
            {
                throw new GrpcResponseException("status OK without a message");
            }
            using var json = new PooledBuffer();
            Encode(spec, binding, message, json);
            var answer = http.Response;
            answer.StatusCode = 200;
            answer.ContentType = "application/json";
            answer.ContentLength = json.Length;
            context.ApplyResponse();
            await answer.Body.WriteAsync(json.WrittenMemory, cancellationToken);
            return;
        }

        var ndjson = AcceptsNdjson(http.Request);
        var started = false;
        using (var json = new PooledBuffer())
        {
            while (await GrpcFrames.ReadMessageAsync(stream, message, encoding, maxBytes, cancellationToken))
            {
                json.Clear();
                if (!started)
                {
                    Start(context, ndjson);
                    started = true;
                    if (!ndjson)
                    {
                        json.Write("["u8);
                    }
                }
                else if (!ndjson)
                {
                    json.Write(","u8);
                }
                Encode(spec, binding, message, json);
                if (ndjson)
                {
                    json.Write("\n"u8);
                }
                await http.Response.Body.WriteAsync(json.WrittenMemory, cancellationToken);
                await http.Response.Body.FlushAsync(cancellationToken);
            }
        }
        var trailers = response.TrailingHeaders;
        if (!started)
        {
            CopyMetadata(spec.Options, trailers, http.Response);
            if (IsOk(trailers))
            {
                Start(context, ndjson);
                if (!ndjson)
                {
                    await http.Response.Body.WriteAsync("[]"u8.ToArray(), cancellationToken);
                }
                return;
            }
            await WriteStatusAsync(context, spec, trailers, cancellationToken);
            return;
        }
        using var tail = new PooledBuffer(256);
        if (!IsOk(trailers))
        {
            tail.Write(ndjson ? "{\"error\":"u8 : ",{\"error\":"u8);
            WriteErrorBody(tail, spec, StatusOf(trailers), MessageOf(trailers), Header(trailers, "grpc-status-details-bin"));
            tail.Write(ndjson ? "}\n"u8 : "}"u8);
        }
        if (!ndjson)
        {
            tail.Write("]"u8);
        }
        await http.Response.Body.WriteAsync(tail.WrittenMemory, cancellationToken);
    }

    /// <summary>
    /// The upstream metadata <c>response_headers</c> lists, as response headers (values as sent:
    /// <c>-bin</c> ones stay base64). Nothing when the list is empty, the default.
    /// </summary>
    private static void CopyMetadata(GrpcOptions options, HttpHeaders metadata, HttpResponse answer)
    {
        if (options.ResponseHeaders.Count == 0)
        {
            return;
        }
        foreach (var (name, values) in metadata.NonValidated)
        {
            if (options.AllowsResponseHeader(name) && !name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
            {
                answer.Headers.Append(name, new StringValues([.. values]));
            }
        }
    }

    private static void Start(RouteContext context, bool ndjson)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = 200;
        response.ContentType = ndjson ? NdjsonType : "application/json";
        context.ApplyResponse();
    }

    private static void Encode(GrpcTranscoderSpec spec, HttpBinding binding, PooledBuffer message, PooledBuffer json)
    {
        var proto = new ReadOnlySequence<byte>(message.WrittenMemory);
        try
        {
            using var writer = new Utf8JsonWriter(json);
            if (binding.ResponseBody is { } field)
            {
                field.ProtoToJson(proto, writer, spec.WriteOptions);
            }
            else
            {
                binding.Method.Output.ProtoToJson(proto, writer, spec.WriteOptions);
            }
        }
        catch (Exception e) when (e is Codec.ProtoJsonException or InvalidProtocolBufferException)
        {
            throw new GrpcResponseException($"the message does not decode as {binding.Method.Descriptor.OutputType.FullName}: {e.Message}", e);
        }
    }

    private static bool AcceptsNdjson(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains(NdjsonType, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsOk(HttpHeaders trailers) => StatusOf(trailers) == GrpcStatusCodes.Ok;

    /// <summary>The call's status; a response without one ended abnormally.</summary>
    private static int StatusOf(HttpHeaders headers)
    {
        var text = Header(headers, "grpc-status") ?? throw new GrpcResponseException("the response ended without a grpc-status");
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? code
            : throw new GrpcResponseException($"grpc-status '{text}' is not a status code");
    }

    /// <summary>grpc-message is percent-encoded UTF-8.</summary>
    private static string MessageOf(HttpHeaders headers) => Header(headers, "grpc-message") is { Length: > 0 } text ? Uri.UnescapeDataString(text) : "";

    private static Task WriteStatusAsync(RouteContext context, GrpcTranscoderSpec spec, HttpHeaders headers, CancellationToken cancellationToken) =>
        WriteErrorAsync(context, spec, StatusOf(headers), MessageOf(headers), Header(headers, "grpc-status-details-bin"), cancellationToken);

    private static async Task WriteErrorAsync(RouteContext context, GrpcTranscoderSpec spec, int code, string message, string? details, CancellationToken cancellationToken)
    {
        if (code == GrpcStatusCodes.Ok)
        {
            throw new GrpcResponseException("status OK without a message");
        }
        using var body = new PooledBuffer(256);
        WriteErrorBody(body, spec, code, message, details);
        var response = context.HttpContext.Response;
        response.StatusCode = GrpcStatusCodes.ToHttpStatus(code);
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        context.ApplyResponse();
        await response.Body.WriteAsync(body.WrittenMemory, cancellationToken);
    }

    /// <summary>
    /// <c>{"code": 5, "message": "…", "details": [...]}</c>, as grpc-gateway writes it. Details
    /// come from <c>grpc-status-details-bin</c> (a google.rpc.Status): each <c>Any</c> is decoded
    /// through the upstream's descriptors, else through google.rpc's error details, else kept as
    /// <c>{"@type", "value"}</c> with the bytes in base64.
    /// </summary>
    private static void WriteErrorBody(PooledBuffer output, GrpcTranscoderSpec spec, int code, string message, string? details)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("code", code);
        writer.WriteString("message", message);
        writer.WriteStartArray("details");
        if (details is not null && TryParseStatus(details) is { } status)
        {
            foreach (var any in status.Details)
            {
                WriteDetail(writer, spec, any);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static global::Google.Rpc.Status? TryParseStatus(string base64)
    {
        try
        {
            var padded = (base64.Length % 4) switch { 2 => base64 + "==", 3 => base64 + "=", _ => base64 };
            return global::Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(padded));
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static void WriteDetail(Utf8JsonWriter writer, GrpcTranscoderSpec spec, global::Google.Protobuf.WellKnownTypes.Any any)
    {
        var typeName = any.TypeUrl[(any.TypeUrl.LastIndexOf('/') + 1)..];
        if (spec.Codecs.TryGet(typeName, out var codec) && codec is not null)
        {
            try
            {
                using var fields = new PooledBuffer(256);
                using (var inner = new Utf8JsonWriter(fields))
                {
                    codec.ProtoToJson(new ReadOnlySequence<byte>(any.Value.Memory), inner, spec.WriteOptions);
                }
                // The message's own object, with "@type" first, as the proto3 JSON form of Any.
                using var combined = new PooledBuffer(fields.Length + any.TypeUrl.Length + 16);
                using (var outer = new Utf8JsonWriter(combined))
                {
                    outer.WriteStartObject();
                    outer.WriteString("@type", any.TypeUrl);
                    outer.Flush();
                }
                var rest = fields.Written.TrimStart(" \t\r\n"u8)[1..];
                if (rest.TrimStart(" \t\r\n"u8)[0] != (byte)'}')
                {
                    combined.Write(","u8);
                }
                combined.Write(rest);
                writer.WriteRawValue(combined.Written, skipInputValidation: false);
                return;
            }
            catch (Exception e) when (e is Codec.ProtoJsonException or InvalidProtocolBufferException or JsonException or IndexOutOfRangeException)
            {
                // Falls through to the other forms.
            }
        }
        try
        {
            writer.WriteRawValue(ErrorDetailsFormatter.Format(any));
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidProtocolBufferException)
        {
            // Neither the upstream's descriptors nor google.rpc know the type.
        }
        writer.WriteStartObject();
        writer.WriteString("@type", any.TypeUrl);
        writer.WriteBase64String("value", any.Value.Span);
        writer.WriteEndObject();
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
