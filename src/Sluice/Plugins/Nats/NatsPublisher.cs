using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Gateway;
using Sluice.Plan;
using Sluice.Plugins.Events;

namespace Sluice.Plugins.Nats;

/// <summary>
/// Publishes a request's body to the subject its route names, on the upstream's one shared
/// connection, and answers 200 only once the message is safe: confirmed by the server (core
/// NATS) or acknowledged by a stream (JetStream). Everything else is a precise error answer;
/// the server's own error text goes to the log, not to the client.
/// </summary>
internal sealed class NatsPublisher(NatsPublishSpec spec, NatsConnection connection, ILogger logger) : IInvoker, IAsyncDisposable
{
    private readonly NatsHeaderSelection _headers = new(spec.Headers);
    private readonly ConcurrentDictionary<string, byte[]?> _subjects = new(StringComparer.Ordinal);

    public async Task InvokeAsync(InvocationContext context)
    {
        var http = context.HttpContext;
        if (context.FunctionName is not { } subjectName)
        {
            await GatewayAnswers.WriteAsync(http, 404, "nats_subject_missing", "a NATS upstream is reached through a function destination: its function_name is the subject");
            return;
        }
        var subject = _subjects.GetOrAdd(subjectName, EncodeSubject);
        if (subject is null)
        {
            await GatewayAnswers.WriteAsync(http, 500, "nats_invalid_subject", $"'{subjectName}' is not a valid NATS subject to publish to (no spaces, no wildcards, no empty tokens)");
            return;
        }

        ReadOnlyMemory<byte> headers = default;
        var delivery = context.Route.PluginData.TryGetValue(CloudEventDeliveryPlugin.Key, out var data) ? data as CloudEventDelivery : null;
        if (!_headers.IsEmpty || delivery is not null)
        {
            // A route delivering requests as CloudEvents: the attributes become NATS headers.
            List<KeyValuePair<string, string>>? attributes = null;
            delivery?.ForEachAttribute(http, (name, value) => (attributes ??= []).Add(new(name, value)));
            var block = new ArrayBufferWriter<byte>(256);
            _headers.Encode(http.Request.Headers, attributes, block);
            headers = block.WrittenMemory;
        }
        var limit = connection.MaxPayload - headers.Length;
        if (http.Request.ContentLength > limit)
        {
            await AnswerTooLargeAsync(http);
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(spec.OpTimeout);
        byte[]? body = null;
        try
        {
            var (buffer, length) = await ReadBodyAsync(http.Request, limit, deadline.Token);
            body = buffer;
            if (length < 0)
            {
                await AnswerTooLargeAsync(http);
                return;
            }
            var payload = body.AsMemory(0, length);
            if (spec.JetStream)
            {
                var reply = await connection.RequestAsync(subject, headers, payload, deadline.Token);
                await AnswerPubAckAsync(http, subjectName, reply);
            }
            else
            {
                await connection.PublishAsync(subject, headers, payload, deadline.Token);
                http.Response.StatusCode = 200;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
        }
        catch (NatsNotConnectedException e)
        {
            // The reason (a refused login, an unreachable host) is the connection's log warning.
            await GatewayAnswers.WriteAsync(http, 500, "nats_unavailable", "not connected to NATS (the reason is in the gateway's log)");
            RemoteErrorLog.FunctionFailed(logger, subjectName, "nats_unavailable", e.Message);
        }
        catch (OperationCanceledException)
        {
            await GatewayAnswers.WriteAsync(http, 408, "nats_timeout", $"NATS did not confirm the message on '{subjectName}' within {spec.OpTimeout.TotalMilliseconds:0} ms; it may or may not be stored");
        }
        catch (NatsException e)
        {
            await FailAsync(http, subjectName, $"publishing to '{subjectName}' failed", e.Message);
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>A 500 nats_publish_failed whose remote detail goes to the log only.</summary>
    private Task FailAsync(HttpContext http, string subject, string message, string detail)
    {
        RemoteErrorLog.FunctionFailed(logger, subject, "nats_publish_failed", detail);
        return GatewayAnswers.WriteAsync(http, 500, "nats_publish_failed", message + " (details are in the gateway's log)");
    }

    private Task AnswerTooLargeAsync(HttpContext http) =>
        GatewayAnswers.WriteAsync(http, 413, "nats_payload_too_large", $"the message (body and forwarded headers) is larger than the NATS server's max_payload of {connection.MaxPayload} bytes");

    /// <summary>
    /// JetStream's answer: a PubAck (<c>{"stream":…,"seq":…}</c>) is passed on as the body; a
    /// no-responders status means no stream stores the subject; an error object is a failure.
    /// </summary>
    private Task AnswerPubAckAsync(HttpContext http, string subject, NatsReply reply)
    {
        if (reply.Status == 503)
        {
            return GatewayAnswers.WriteAsync(http, 404, "nats_no_stream", $"no JetStream stream stores subject '{subject}' (nothing answered the publish)");
        }
        if (reply.Status >= 400)
        {
            return GatewayAnswers.WriteAsync(http, 500, "nats_publish_failed", $"JetStream answered status {reply.Status} for '{subject}'");
        }
        try
        {
            using var ack = JsonDocument.Parse(reply.Payload);
            var root = ack.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                var description = error.TryGetProperty("description", out var d) ? d.GetString() : error.GetRawText();
                return FailAsync(http, subject, $"JetStream refused the message on '{subject}'", description ?? "");
            }
            if (!root.TryGetProperty("stream", out _) || !root.TryGetProperty("seq", out _))
            {
                return FailAsync(http, subject, $"unexpected JetStream answer for '{subject}'", Encoding.UTF8.GetString(reply.Payload));
            }
        }
        catch (JsonException)
        {
            return GatewayAnswers.WriteAsync(http, 500, "nats_publish_failed", $"the answer for '{subject}' is not a JetStream PubAck (is a core subscriber listening on a JetStream subject?)");
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = reply.Payload.Length;
        return http.Response.Body.WriteAsync(reply.Payload).AsTask();
    }

    /// <summary>
    /// Reads the whole body into a pooled buffer; length -1 when it exceeds
    /// <paramref name="limit"/>, which is known only while reading for chunked bodies.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 1, limit + 1));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return (buffer, -1);
                }
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer, length > limit ? -1 : length);
            }
            length += read;
            if (length > limit)
            {
                return (buffer, -1);
            }
        }
    }

    /// <summary>A publish subject: dot-separated non-empty tokens, no whitespace, no wildcards.</summary>
    private static byte[]? EncodeSubject(string subject)
    {
        if (subject.Length == 0 || subject.StartsWith('.') || subject.EndsWith('.') || subject.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }
        foreach (var c in subject)
        {
            if (char.IsWhiteSpace(c) || c is '*' or '>' || char.IsControl(c))
            {
                return null;
            }
        }
        return Encoding.UTF8.GetBytes(subject);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
