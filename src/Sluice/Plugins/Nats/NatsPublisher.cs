using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Plugins.Events;

namespace Sluice.Plugins.Nats;

/// <summary>
/// Publishes a request's body to the subject its route names, on the connection to the server
/// the gateway's resilience loop chose for this attempt (the servers are the cluster's
/// endpoints), and answers 200 only once the message is safe: confirmed by the server (core
/// NATS) or acknowledged by a stream (JetStream). Everything else is a precise error answer;
/// the server's own error text goes to the log, not to the client. Breakers, retries, timeouts
/// and outlier detection are the loop's, above the client: this class reports each attempt's result.
/// </summary>
internal sealed class NatsPublisher(NatsPublishSpec spec, IReadOnlyDictionary<EndpointPlan, NatsConnection> connections) : IInvoker, IUpstreamCall, IAsyncDisposable
{
    private readonly NatsHeaderSelection _headers = new(spec.Headers);
    private readonly ConcurrentDictionary<string, byte[]?> _subjects = new(StringComparer.Ordinal);
    private readonly NatsConnection _first = connections.Values.First();

    /// <summary>One connection per server, by address; a publisher for changed publish settings takes them over.</summary>
    public IReadOnlyDictionary<EndpointPlan, NatsConnection> Connections => connections;

    public Task InvokeAsync(RouteContext context)
    {
        var http = context.HttpContext;
        if (context.FunctionName is not { } subjectName)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsSubjectMissing, "a NATS upstream is reached through a function destination: its function_name is the subject");
            return Task.CompletedTask;
        }
        if (_subjects.GetOrAdd(subjectName, EncodeSubject) is null)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsInvalidSubject, $"'{subjectName}' is not a valid NATS subject to publish to (no spaces, no wildcards, no empty tokens)");
            return Task.CompletedTask;
        }
        return context.CallUpstreamAsync(this);
    }

    /// <summary>One publish to the attempt's server.</summary>
    public async ValueTask<AttemptResult> TryAsync(RouteContext context)
    {
        var http = context.HttpContext;
        var subjectName = context.FunctionName!;
        var subject = _subjects[subjectName]!;
        var connection = context.EndpointAddress is { } address && connections.TryGetValue(address, out var chosen) ? chosen : _first;

        ReadOnlyMemory<byte> headers = default;
        var delivery = context.Route.Data.Get<CloudEventDelivery>();
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
            FailTooLarge(http, connection);
            return AttemptResult.ClientSide;
        }

        // The route's timeout (per try) bounds a publish too, when it is shorter than op_timeout.
        var timeout = context.AttemptTimeout > TimeSpan.Zero && context.AttemptTimeout < spec.OpTimeout ? context.AttemptTimeout : spec.OpTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(timeout);
        byte[]? body = null;
        try
        {
            var (buffer, length) = await ReadBodyAsync(http.Request, limit, deadline.Token);
            body = buffer;
            if (length < 0)
            {
                FailTooLarge(http, connection);
                return AttemptResult.ClientSide;
            }
            var payload = body.AsMemory(0, length);
            if (spec.JetStream)
            {
                var reply = await connection.RequestAsync(subject, headers, payload, deadline.Token);
                return await AnswerPubAckAsync(context, subjectName, reply);
            }
            await connection.PublishAsync(subject, headers, payload, deadline.Token);
            http.Response.StatusCode = 200;
            return AttemptResult.Answered;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
            return AttemptResult.ClientSide;
        }
        catch (NatsNotConnectedException e)
        {
            // The reason (a refused login, an unreachable host) is the connection's log warning.
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsUnavailable, "not connected to NATS (the reason is in the gateway's log)", detail: e.Message);
            return AttemptResult.ConnectFailure;
        }
        catch (OperationCanceledException)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsTimeout, $"NATS did not confirm the message on '{subjectName}' within {timeout.TotalMilliseconds:0} ms; it may or may not be stored");
            return AttemptResult.TimedOut;
        }
        catch (NatsException e)
        {
            return Fail(context, $"publishing to '{subjectName}' failed", e.Message);
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>
    /// A 500 nats_publish_failed whose remote detail goes to the log only: the server's error
    /// answer, held back instead when the route retries a 500.
    /// </summary>
    private static AttemptResult Fail(RouteContext context, string message, string detail)
    {
        if (context.HoldsBack(StatusCodes.Status500InternalServerError))
        {
            return AttemptResult.HeldBack;
        }
        SluiceErrorFeature.Set(context.HttpContext, SluiceErrorCode.NatsPublishFailed, message + " (details are in the gateway's log)", detail: detail);
        return AttemptResult.Answered;
    }

    private static void FailTooLarge(HttpContext http, NatsConnection connection) =>
        SluiceErrorFeature.Set(http, SluiceErrorCode.NatsPayloadTooLarge, $"the message (body and forwarded headers) is larger than the NATS server's max_payload of {connection.MaxPayload} bytes");

    /// <summary>
    /// JetStream's answer: a PubAck (<c>{"stream":…,"seq":…}</c>) is passed on as the body; a
    /// no-responders status means no stream stores the subject; an error object is a failure.
    /// </summary>
    private static async ValueTask<AttemptResult> AnswerPubAckAsync(RouteContext context, string subject, NatsReply reply)
    {
        var http = context.HttpContext;
        if (reply.Status == 503)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsNoStream, $"no JetStream stream stores subject '{subject}' (nothing answered the publish)");
            return AttemptResult.Answered;
        }
        if (reply.Status >= 400)
        {
            if (context.HoldsBack(StatusCodes.Status500InternalServerError))
            {
                return AttemptResult.HeldBack;
            }
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsPublishFailed, $"JetStream answered status {reply.Status} for '{subject}'");
            return AttemptResult.Answered;
        }
        try
        {
            using var ack = JsonDocument.Parse(reply.Payload);
            var root = ack.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                var description = error.TryGetProperty("description", out var d) ? d.GetString() : error.GetRawText();
                return Fail(context, $"JetStream refused the message on '{subject}'", description ?? "");
            }
            if (!root.TryGetProperty("stream", out _) || !root.TryGetProperty("seq", out _))
            {
                return Fail(context, $"unexpected JetStream answer for '{subject}'", Encoding.UTF8.GetString(reply.Payload));
            }
        }
        catch (JsonException)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsPublishFailed, $"the answer for '{subject}' is not a JetStream PubAck (is a core subscriber listening on a JetStream subject?)");
            return AttemptResult.Answered;
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = reply.Payload.Length;
        await http.Response.Body.WriteAsync(reply.Payload);
        return AttemptResult.Answered;
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

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections.Values)
        {
            await connection.DisposeAsync();
        }
    }
}
