using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
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
internal sealed class NatsPublisher(NatsPublishSpec spec, IReadOnlyDictionary<EndpointPlan, NatsServerConnection> connections, ILogger logger) : IInvoker, IUpstreamCall, IAsyncDisposable
{
    private int _warnedNoJetStream;
    private readonly NatsHeaderSelection _headers = new(spec.Headers);
    private readonly ConcurrentDictionary<string, bool> _subjects = new(StringComparer.Ordinal);
    private readonly NatsServerConnection _first = connections.Values.First();

    /// <summary>One connection per server, by address; a publisher for changed publish settings takes them over.</summary>
    public IReadOnlyDictionary<EndpointPlan, NatsServerConnection> Connections => connections;

    public Task InvokeAsync(RouteContext context)
    {
        var http = context.HttpContext;
        if (context.FunctionName is not { } subjectName)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.NatsSubjectMissing, "a NATS upstream is reached through a function destination: its function_name is the subject");
            return Task.CompletedTask;
        }
        if (!_subjects.GetOrAdd(subjectName, IsPublishSubject))
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
        var connection = context.EndpointAddress is { } address && connections.TryGetValue(address, out var chosen) ? chosen : _first;

        NatsHeaders? headers = null;
        var headersLength = 0;
        var delivery = context.Route.Data.Get<CloudEventDelivery>();
        if (!_headers.IsEmpty || delivery is not null)
        {
            // A route delivering requests as CloudEvents: the attributes become NATS headers.
            List<KeyValuePair<string, string>>? attributes = null;
            delivery?.ForEachAttribute(http, (name, value) => (attributes ??= []).Add(new(name, value)));
            (headers, headersLength) = _headers.Select(http.Request.Headers, attributes);
        }
        var limit = connection.MaxPayload - headersLength;
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
            if (spec.JetStream)
            {
                // The server's INFO says whether JetStream is enabled: without it no PubAck can
                // come, so the answer is now, not a 408 after op_timeout.
                await connection.WaitUntilOpenAsync(deadline.Token);
                if (connection.JetStreamAvailable == false)
                {
                    if (Interlocked.Exchange(ref _warnedNoJetStream, 1) == 0)
                    {
                        logger.LogWarning("NATS upstream publishing to '{Subject}': {Problem}", subjectName, NatsPublishSpec.JetStreamUnavailableMessage);
                    }
                    SluiceErrorFeature.Set(http, SluiceErrorCode.NatsJetStreamUnavailable, NatsPublishSpec.JetStreamUnavailableMessage);
                    return AttemptResult.Answered;
                }
            }
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
                var result = await connection.PublishToStreamAsync(subjectName, headers, payload, deadline);
                return await AnswerPubAckAsync(context, subjectName, result);
            }
            await connection.PublishAsync(subjectName, headers, payload, deadline.Token);
            http.Response.StatusCode = 200;
            return AttemptResult.Answered;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
            return AttemptResult.ClientSide;
        }
        catch (NatsNotConnectedException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away while the connection was down: not the server's failure.
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
        catch (NatsPublishDeniedException e)
        {
            // Before NATS.Net this was a 500 too: a refused message is not stored, so never a 200.
            return Fail(context, $"the NATS user is not permitted to publish to '{subjectName}'", e.Message);
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

    private static void FailTooLarge(HttpContext http, NatsServerConnection connection) =>
        SluiceErrorFeature.Set(http, SluiceErrorCode.NatsPayloadTooLarge, $"the message (body and forwarded headers) is larger than the NATS server's max_payload of {connection.MaxPayload} bytes");

    /// <summary>
    /// JetStream's answer: a PubAck (stream and sequence) is passed on as a JSON body; no answer at
    /// all (no responders) means no stream stores the subject; an error in the PubAck is a refusal.
    /// </summary>
    private static async ValueTask<AttemptResult> AnswerPubAckAsync(RouteContext context, string subject, NatsResult<PubAckResponse> result)
    {
        var http = context.HttpContext;
        if (!result.Success)
        {
            if (result.Error is NatsJSPublishNoResponseException)
            {
                SluiceErrorFeature.Set(http, SluiceErrorCode.NatsNoStream, $"no JetStream stream stores subject '{subject}' (nothing answered the publish)");
                return AttemptResult.Answered;
            }
            if (result.Error is NatsJSException { InnerException: null } && result.Error.Message == "No response data received")
            {
                SluiceErrorFeature.Set(http, SluiceErrorCode.NatsPublishFailed, $"the answer for '{subject}' is not a JetStream PubAck (is a core subscriber listening on a JetStream subject?)");
                return AttemptResult.Answered;
            }
            return Fail(context, $"publishing to '{subject}' failed", result.Error.Message);
        }
        var ack = result.Value;
        if (ack.Error is { } error)
        {
            return Fail(context, $"JetStream refused the message on '{subject}'", $"{error.Description} (code {error.Code}, err_code {error.ErrCode})");
        }
        if (string.IsNullOrEmpty(ack.Stream))
        {
            return Fail(context, $"unexpected JetStream answer for '{subject}'", "a PubAck without a stream");
        }
        var body = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("stream", ack.Stream);
            json.WriteNumber("seq", ack.Seq);
            if (ack.Duplicate)
            {
                json.WriteBoolean("duplicate", true);
            }
            if (!string.IsNullOrEmpty(ack.Domain))
            {
                json.WriteString("domain", ack.Domain);
            }
            json.WriteEndObject();
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = body.WrittenCount;
        await http.Response.Body.WriteAsync(body.WrittenMemory);
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
    private static bool IsPublishSubject(string subject)
    {
        if (subject.Length == 0 || subject.StartsWith('.') || subject.EndsWith('.') || subject.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in subject)
        {
            if (char.IsWhiteSpace(c) || c is '*' or '>' || char.IsControl(c))
            {
                return false;
            }
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections.Values)
        {
            await connection.DisposeAsync();
        }
    }
}
