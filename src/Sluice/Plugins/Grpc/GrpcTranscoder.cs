using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Plan;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Plugins.Rest;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// Serves a route to a gRPC upstream: picks the method (the route's function by Gloo's names, or
/// the request's verb and path by the <c>google.api.http</c> rules), encodes the request as the
/// method's input message(s), and forwards it through the gateway as a gRPC call
/// (<see cref="GrpcTransformer"/>), so endpoint choice, the connection pool, TLS, breakers,
/// retries and outlier detection are the same as for any upstream.
/// </summary>
internal sealed class GrpcTranscoder(GrpcTranscoderSpec spec) : IInvoker
{
    public Task InvokeAsync(RouteContext context)
    {
        var http = context.HttpContext;
        if (context.FunctionName is { } function)
        {
            if (spec.Functions.TryGetValue(function, out var named))
            {
                return CallAsync(context, named, path: null, values: null);
            }
            SluiceErrorFeature.Set(http, SluiceErrorCode.GrpcMethodNotFound, spec.Ambiguous.TryGetValue(function, out var candidates)
                ? $"function '{function}' of upstream '{spec.Upstream}' is ambiguous: route to one of {candidates}"
                : $"upstream '{spec.Upstream}' has no gRPC method '{function}'");
            return Task.CompletedTask;
        }

        var path = RequestPath(context);
        var values = spec.Rules.MaxVariables == 0 ? [] : new Range[spec.Rules.MaxVariables];
        var binding = spec.Rules.Match(http.Request.Method, path, values, out var pathMatched);
        if (binding is null)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.GrpcMethodNotFound, pathMatched
                ? $"no gRPC method of upstream '{spec.Upstream}' is bound to {http.Request.Method} on this path"
                : spec.Rules.Count == 0
                    ? $"upstream '{spec.Upstream}' has no google.api.http rules: route to one of its methods as a function"
                    : $"no gRPC method of upstream '{spec.Upstream}' is bound to this path");
            return Task.CompletedTask;
        }
        return CallAsync(context, binding, path, values);
    }

    private async Task CallAsync(RouteContext context, HttpBinding binding, string? path, Range[]? values)
    {
        var http = context.HttpContext;
        using var body = new PooledBuffer();
        if (binding.Body != BodyMapping.None && !await ReadBodyAsync(http, body))
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.BodyTooLarge,
                $"the request body is larger than {spec.Options.MaxRequestBytes} bytes, the most upstream '{spec.Upstream}' accepts");
            return;
        }

        using var messages = new PooledBuffer(body.Length + 256);
        try
        {
            new RequestEncoder(spec, binding, http.Request, path, values, context.Route.Data.Get<RestRouteData>()?.Parameters)
                .Encode(body.Written, messages);
        }
        catch (RequestValueException e)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.GrpcBadRequest, $"{binding.Method.FullName}: {e.Message}");
            return;
        }

        var request = http.Request;
        // A gRPC call always has a body, whatever the client's request had (a GET has none):
        // the forwarder sends one only when the request says it can have one.
        http.Features.Set<IHttpRequestBodyDetectionFeature>(CallHasBody.Instance);
        request.Headers.Remove("transfer-encoding");
        request.ContentLength = messages.Length;
        request.Body = new MemoryStream(messages.Array, 0, messages.Length, writable: false);
        await context.ForwardAsync(new GrpcTransformer(spec, binding, context.RouteTransformer, context.Route.Timeout ?? RoutePlan.DefaultTimeout));
    }

    /// <summary>The whole body, up to the limit (checked before and while reading); false when over it.</summary>
    private async ValueTask<bool> ReadBodyAsync(HttpContext http, PooledBuffer body)
    {
        var limit = spec.Options.MaxRequestBytes;
        if (http.Request.ContentLength > limit)
        {
            return false;
        }
        var stream = http.Request.Body;
        while (true)
        {
            var read = await stream.ReadAsync(body.GetMemory(16 * 1024), http.RequestAborted);
            if (read == 0)
            {
                return true;
            }
            body.Advance(read);
            if (body.Length > limit)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The path as the client sent it (still percent-encoded, so a value's own '%2F' stays part of
    /// the value), after the route's prefix rewrite.
    /// </summary>
    private static string RequestPath(RouteContext context)
    {
        var http = context.HttpContext;
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string path;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            var query = raw.IndexOf('?');
            path = query < 0 ? raw : raw[..query];
        }
        else
        {
            path = http.Request.Path.ToUriComponent();
        }
        var route = context.Route;
        return route.PrefixRewrite is { } prefix ? PathRewrite.ReplacePrefix(route.Match, prefix, path) : path;
    }
}

internal sealed class CallHasBody : IHttpRequestBodyDetectionFeature
{
    public static readonly CallHasBody Instance = new();

    public bool CanHaveBody => true;
}

/// <summary>A request value that does not fit the input message; the message names where it came from.</summary>
internal sealed class RequestValueException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Builds the framed input message(s) of one request: the body (whole message, one field, or for
/// client streaming a JSON array or NDJSON of messages), then path variables, route parameters
/// and query parameters, each encoded as a message holding only that field. Concatenated,
/// protobuf's merge rules apply: a later scalar wins, repeated fields append.
/// </summary>
internal readonly struct RequestEncoder(GrpcTranscoderSpec spec, HttpBinding binding, HttpRequest request, string? path, Range[]? values,
    ParameterSet? parameters)
{
    public void Encode(ReadOnlySpan<byte> body, PooledBuffer output)
    {
        if (!binding.Method.ClientStreaming)
        {
            EncodeOne(body, output);
            return;
        }
        if (IsNdjson(request.ContentType))
        {
            foreach (var range in body.Split((byte)'\n'))
            {
                var line = body[range];
                if (!IsBlank(line))
                {
                    EncodeOne(line, output);
                }
            }
            return;
        }
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read())
            {
                return;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                EncodeOne(body, output);
                return;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                EncodeOne(body[start..(int)reader.BytesConsumed], output);
            }
        }
        catch (JsonException e)
        {
            throw new RequestValueException($"body: malformed JSON: {e.Message}", e);
        }
    }

    private void EncodeOne(ReadOnlySpan<byte> body, PooledBuffer output)
    {
        var start = GrpcFrames.BeginMessage(output);
        var method = binding.Method;
        if (!IsBlank(body))
        {
            try
            {
                if (binding.Body == BodyMapping.Field)
                {
                    binding.BodyField!.JsonToProto(body, output, spec.ReadOptions);
                }
                else
                {
                    method.Input.JsonToProto(body, output, spec.ReadOptions);
                }
            }
            catch (Exception e) when (e is ProtoJsonException or JsonException)
            {
                throw new RequestValueException($"body: {Describe(e)}", e);
            }
        }

        if (binding.Template is { } template)
        {
            for (var i = 0; i < binding.Variables.Length; i++)
            {
                var variable = template.Variables[i];
                var raw = path.AsSpan()[values![i]];
                var multiSegment = variable.EndSegment - variable.StartSegment > 1 || (template.EndsWithAnyPath && variable.EndSegment == template.SegmentCount);
                try
                {
                    binding.Variables[i].TextToProto(raw.Contains('%') ? PercentDecoding.Decode(raw, keepSlashes: multiSegment) : raw, output);
                }
                catch (Exception e) when (e is ProtoJsonException or FormatException)
                {
                    throw new RequestValueException($"path variable '{variable.FieldPath}': {Describe(e)}", e);
                }
            }
        }

        if (parameters is not null)
        {
            foreach (var (name, value, matched) in parameters.Extract(request))
            {
                // Gloo's built-ins (path, method) become fields only where the message has them.
                var builtIn = name is "path" or "method";
                if (!matched || (builtIn && method.Input.Descriptor.FindFieldByName(name) is null))
                {
                    continue;
                }
                Set(method, name, value, "parameter", output);
            }
        }

        if (binding.QueryParameters && request.QueryString.HasValue)
        {
            foreach (var (name, queryValues) in request.Query)
            {
                foreach (var value in queryValues)
                {
                    Set(method, name, value ?? "", "query parameter", output);
                }
            }
        }
        GrpcFrames.EndMessage(output, start);
    }

    private static void Set(GrpcMethod method, string name, string value, string source, PooledBuffer output)
    {
        try
        {
            method.FieldPath(name).TextToProto(value, output);
        }
        catch (ProtoJsonException e)
        {
            throw new RequestValueException($"{source} '{name}': {Describe(e)}", e);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        ProtoJsonException { FieldPath.Length: > 0 } p when !p.Message.Contains(p.FieldPath, StringComparison.Ordinal) => $"field '{p.FieldPath}': {p.Message}",
        JsonException => $"malformed JSON: {e.Message}",
        _ => e.Message,
    };

    private static bool IsNdjson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase));

    private static bool IsBlank(ReadOnlySpan<byte> text) => text.Trim(" \t\r\n"u8).IsEmpty;
}
