using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Sluice.Gateway.Resilience;
using Sluice.Plan;

namespace Sluice.Gateway.Forwarding;

/// <summary>
/// One forwarding attempt from Kestrel's request straight to a pooled HTTP/1.1 connection of the
/// attempt's endpoint and back: the head written as bytes into the connection's pipe, the
/// response head parsed from bytes onto Kestrel's response, bodies relayed pipe to pipe. Used
/// for what it supports (<see cref="Forwards"/>); everything else goes to YARP's <see cref="HttpForwardCall"/>.
/// Error mapping is <see cref="HttpForwardCall"/>'s. One per gateway.
/// </summary>
internal sealed class DirectForwardCall(HttpForwardCall yarp, TimeSpan idleTimeout) : IUpstreamCall
{
    /// <summary>How long a request with <c>Expect: 100-continue</c> waits for the upstream's go-ahead before sending its body anyway (HttpClient's default).</summary>
    private static readonly TimeSpan ContinueTimeout = TimeSpan.FromSeconds(1);

    public ValueTask<AttemptResult> TryAsync(RouteContext context)
    {
        var request = (RouteRequest)context;
        return Forwards(request) ? ForwardAsync(request) : yarp.TryAsync(context);
    }

    /// <summary>
    /// A plain-text HTTP/1.1 cluster without a connection limit, a route without request
    /// decorators (both decided when the plan was bound), a request that is no upgrade, and no
    /// invoker's transformer: the forwarder writes what the route's own transformer would.
    /// </summary>
    private static bool Forwards(RouteRequest request) =>
        request.Model!.ForwardsDirect && request.State.ForwardsDirect && !request.IsUpgrade
        && (request.Transformer is null || ReferenceEquals(request.Transformer, request.State.Transformer));

    // Pooled: an attempt that goes asynchronous reuses a state machine box instead of allocating one.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AttemptResult> ForwardAsync(RouteRequest request)
    {
        var http = request.HttpContext;
        var model = request.Model!;
        var pool = request.EndpointState!.Connections(idleTimeout);
        UpstreamConnection? connection = null;
        var registration = default(CancellationTokenRegistration);
        try
        {
            connection = pool.RentIdle() ?? await pool.ConnectAsync(model.Plan.ConnectTimeout, http.RequestAborted);
            registration = http.RequestAborted.UnsafeRegister(CancelUpstream, connection);
            Answer answer;
            try
            {
                answer = await SendAndReadHeadAsync(request, connection);
            }
            catch (Exception e) when (IsStale(e, http, connection))
            {
                // The upstream closed the pooled connection as the request arrived: once more on a fresh one.
                await registration.DisposeAsync();
                connection.Dispose();
                connection = await pool.ConnectAsync(model.Plan.ConnectTimeout, http.RequestAborted);
                registration = http.RequestAborted.UnsafeRegister(CancelUpstream, connection);
                answer = await SendAndReadHeadAsync(request, connection);
            }
            if (answer.HeldBack)
            {
                // Not copied: the resilience loop resets the response and tries again; the unread body closes the connection.
                pool.Release(connection, reusable: false);
                return AttemptResult.Answered;
            }
            request.ApplyResponse();
            var consumed = await RelayBodyAsync(request, connection, answer);
            if (http.Features.Get<IHttpResponseBodyFeature>() is StreamResponseBodyFeature)
            {
                // The body goes through a stream that wraps Kestrel's (the access log counts bytes):
                // its writer passes on only what is flushed, and Kestrel's end of response does not reach it.
                await FlushClientAsync(http.Response.BodyWriter);
            }
            await registration.DisposeAsync();
            pool.Release(connection, answer.KeepAlive && consumed && answer.BodySent);
            return AttemptResult.Answered;
        }
        catch (Exception e)
        {
            await registration.DisposeAsync();
            connection?.Dispose();
            return Failed(request, Classify(e, http, http.Response.HasStarted ? ForwardingFailure.MidBody : ForwardingFailure.BeforeAnswer));
        }
    }

    private static readonly Action<object?> CancelUpstream = static connection => ((UpstreamConnection)connection!).Cancel();

    /// <summary>A pooled connection failed before any answer, for a request that can be sent again.</summary>
    private static bool IsStale(Exception e, HttpContext http, UpstreamConnection connection) =>
        connection.IsReused && !connection.ResponseStarted && Classify(e, http, ForwardingFailure.BeforeAnswer).Failure == ForwardingFailure.BeforeAnswer && CanSendAgain(http);

    /// <summary>A request is sent again only if it is idempotent and has no body (which was read from the client and is gone).</summary>
    private static bool CanSendAgain(HttpContext http)
    {
        var request = http.Request;
        var method = request.Method;
        return request.ContentLength is null or 0 && !HasBody(http)
            && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
                || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method));
    }

    private static bool HasBody(HttpContext http) => http.Request.ContentLength is { } length
        ? length > 0
        : http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    /// <summary>What the upstream's final head said (already set on Kestrel's response unless held back).</summary>
    private readonly record struct Answer(bool HeldBack, BodyFraming Framing, long Length, bool KeepAlive, bool BodySent);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Answer> SendAndReadHeadAsync(RouteRequest request, UpstreamConnection connection)
    {
        var http = request.HttpContext;
        var incoming = http.Request;
        var hasBody = HasBody(http);
        var chunked = hasBody && incoming.ContentLength is null;
        // Envoy kept the client's Host unless told otherwise; Gloo rewrote it for DNS-named hosts.
        var host = request.Route.HostRewrite ?? request.EndpointState!.HostHeader ?? incoming.Host.Value;
        RequestHead.Write(connection.Writer, request, string.IsNullOrEmpty(host) ? request.EndpointState!.Prefix["http://".Length..] : host, chunked);

        var bodySent = !hasBody;
        if (hasBody && incoming.Headers.Expect.Count > 0 && string.Equals(incoming.Headers.Expect[0], "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await FlushUpstreamAsync(request, connection);
            // Refused (a final answer before the go-ahead): the body is not sent, and the connection cannot be reused.
            bodySent = !await AnsweredBeforeContinueAsync(connection);
            if (bodySent)
            {
                await SendBodyAsync(request, connection, chunked);
            }
        }
        else if (hasBody)
        {
            await SendBodyAsync(request, connection, chunked);
            bodySent = true;
        }
        else
        {
            await FlushUpstreamAsync(request, connection);
        }

        var reader = connection.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(connection.Arm(request.AttemptTimeout));
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                connection.ResponseStarted = true;
            }
            if (ResponseHead.TryFindEnd(buffer, out var end))
            {
                var head = buffer.Slice(0, end);
                if (head.Length > ResponseHead.MaxHeadBytes)
                {
                    // However fast it came: the limit is on the head, not on what one read saw of it.
                    throw TooLong();
                }
                var status = ResponseHead.Status(head);
                if (status < 200 && status != 101)
                {
                    // Interim (100 Continue, 103 Early Hints): not passed on, as YARP's HttpClient does not.
                    reader.AdvanceTo(end);
                    continue;
                }
                if (request.HoldsBack(status))
                {
                    reader.AdvanceTo(end);
                    return new Answer(HeldBack: true, BodyFraming.None, 0, KeepAlive: false, bodySent);
                }
                var (framing, length, keepAlive) = ResponseHead.Apply(head, status, http);
                reader.AdvanceTo(end);
                return new Answer(HeldBack: false, framing, length, keepAlive, bodySent);
            }
            if (buffer.Length > ResponseHead.MaxHeadBytes)
            {
                throw TooLong();
            }
            if (result.IsCompleted)
            {
                throw new ForwardingException(ForwardingFailure.BeforeAnswer,
                    buffer.IsEmpty ? "the upstream closed the connection before answering" : "the upstream closed the connection in the middle of the response head");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static ForwardingException TooLong() =>
        new(ForwardingFailure.BeforeAnswer, $"the upstream's response head is longer than {ResponseHead.MaxHeadBytes} bytes");

    /// <summary>
    /// Waits (at most <see cref="ContinueTimeout"/>) for the upstream's 100 Continue; true when it
    /// answered finally instead, left unread for the head loop. A timeout sends the body anyway, as HttpClient does.
    /// </summary>
    private static async ValueTask<bool> AnsweredBeforeContinueAsync(UpstreamConnection connection)
    {
        var reader = connection.Reader;
        using var timer = new Timer(static r => ((PipeReader)r!).CancelPendingRead(), reader, ContinueTimeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                return false;
            }
            if (ResponseHead.TryFindEnd(buffer, out var end))
            {
                var status = ResponseHead.Status(buffer.Slice(0, end));
                if (status >= 200)
                {
                    reader.AdvanceTo(buffer.Start);
                    return true;
                }
                reader.AdvanceTo(end);
                if (status == 100)
                {
                    return false;
                }
                continue;
            }
            if (result.IsCompleted)
            {
                throw new ForwardingException(ForwardingFailure.BeforeAnswer, "the upstream closed the connection before answering");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// The client's body, read into the connection's own pipe memory (no buffer of ours): as is
    /// with a Content-Length, else in chunks whose size line is reserved in place before the read.
    /// A body kept for retries is read from its start: the resilience loop rewound it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask SendBodyAsync(RouteRequest request, UpstreamConnection connection, bool chunked)
    {
        var http = request.HttpContext;
        var body = http.Request.Body;
        var writer = connection.Writer;
        while (true)
        {
            var memory = writer.GetMemory(4096);
            int read;
            try
            {
                read = await body.ReadAsync(chunked ? memory[RequestHead.ChunkHeaderLength..^2] : memory, http.RequestAborted);
            }
            catch (BadHttpRequestException e)
            {
                throw new ForwardingException(ForwardingFailure.ClientBody, "the request body could not be read", e);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                throw new ForwardingException(ForwardingFailure.ClientGone, "the client went away while sending the body", e);
            }
            if (read == 0)
            {
                break;
            }
            if (chunked)
            {
                RequestHead.WriteChunkHeader(memory.Span, read);
                "\r\n"u8.CopyTo(memory.Span[(RequestHead.ChunkHeaderLength + read)..]);
                writer.Advance(RequestHead.ChunkHeaderLength + read + 2);
            }
            else
            {
                writer.Advance(read);
            }
            await FlushUpstreamAsync(request, connection);
        }
        if (chunked)
        {
            writer.Write("0\r\n\r\n"u8);
        }
        await FlushUpstreamAsync(request, connection);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FlushUpstreamAsync(RouteRequest request, UpstreamConnection connection)
    {
        var result = await connection.Writer.FlushAsync(connection.Arm(request.AttemptTimeout));
        if (result.IsCompleted)
        {
            throw new ForwardingException(ForwardingFailure.BeforeAnswer, "the upstream connection closed while the request was sent");
        }
    }

    /// <summary>The response body to the client as the upstream framed it; false when the connection cannot carry another exchange (a body ended by close).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> RelayBodyAsync(RouteRequest request, UpstreamConnection connection, Answer answer)
    {
        switch (answer.Framing)
        {
            case BodyFraming.None:
                return true;
            case BodyFraming.ContentLength:
                await RelayLengthAsync(request, connection, answer.Length, flushesEnd: false);
                return true;
            case BodyFraming.Chunked:
                await RelayChunksAsync(request, connection);
                return true;
            default:
                await RelayToEndAsync(request, connection);
                return false;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    /// <summary>
    /// <paramref name="remaining"/> bytes of body, flushed to the client as they come; the last
    /// part is left for Kestrel to send with the end of the response unless <paramref name="flushesEnd"/>
    /// (a chunk: the next may be long in coming).
    /// </summary>
    private static async ValueTask RelayLengthAsync(RouteRequest request, UpstreamConnection connection, long remaining, bool flushesEnd)
    {
        var reader = connection.Reader;
        var output = request.HttpContext.Response.BodyWriter;
        while (remaining > 0)
        {
            var result = await reader.ReadAsync(connection.Arm(request.AttemptTimeout));
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                throw new ForwardingException(ForwardingFailure.MidBody, "the upstream closed the connection before the end of the body");
            }
            var part = buffer.Length > remaining ? buffer.Slice(0, remaining) : buffer;
            Copy(part, output);
            remaining -= part.Length;
            reader.AdvanceTo(part.End);
            if (remaining > 0 || flushesEnd)
            {
                await FlushClientAsync(output);
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask RelayToEndAsync(RouteRequest request, UpstreamConnection connection)
    {
        var reader = connection.Reader;
        var output = request.HttpContext.Response.BodyWriter;
        while (true)
        {
            var result = await reader.ReadAsync(connection.Arm(request.AttemptTimeout));
            var buffer = result.Buffer;
            Copy(buffer, output);
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
            await FlushClientAsync(output);
        }
    }

    /// <summary>Chunks decoded (Kestrel frames the body for its own client), then the trailers, passed on when the client's protocol carries them.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask RelayChunksAsync(RouteRequest request, UpstreamConnection connection)
    {
        while (true)
        {
            var size = await ReadLineAsync(request, connection, ChunkedBody.ParseSize);
            if (size == 0)
            {
                break;
            }
            await RelayLengthAsync(request, connection, size, flushesEnd: true);
            await ReadLineAsync(request, connection, ChunkedBody.ExpectEmpty);
        }
        var response = request.HttpContext.Response;
        var trailers = 0L;
        while (true)
        {
            var line = await ReadLineAsync(request, connection, ChunkedBody.TrailerLine);
            if (line is null)
            {
                return;
            }
            trailers += line.Length;
            if (trailers > ResponseHead.MaxHeadBytes)
            {
                throw new ForwardingException(ForwardingFailure.MidBody, "the upstream's trailers are too long");
            }
            var colon = line.IndexOf(':');
            if (colon > 0 && response.SupportsTrailers())
            {
                response.AppendTrailer(line[..colon], line[(colon + 1)..].Trim());
            }
        }
    }

    /// <summary>Reads one line of the chunked framing and hands it (without its line end) to <paramref name="parse"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T> ReadLineAsync<T>(RouteRequest request, UpstreamConnection connection, ChunkedBody.LineParser<T> parse)
    {
        var reader = connection.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(connection.Arm(request.AttemptTimeout));
            var buffer = result.Buffer;
            if (ChunkedBody.TryReadLine(buffer, out var line, out var next))
            {
                var parsed = ChunkedBody.Parse(line, parse);
                reader.AdvanceTo(next);
                return parsed;
            }
            if (result.IsCompleted || buffer.Length > ChunkedBody.MaxLineBytes)
            {
                throw new ForwardingException(ForwardingFailure.MidBody, "the upstream's chunked body ended early or is malformed");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static void Copy(in ReadOnlySequence<byte> source, PipeWriter output)
    {
        foreach (var segment in source)
        {
            output.Write(segment.Span);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask FlushClientAsync(PipeWriter output)
    {
        var result = await output.FlushAsync();
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new ForwardingException(ForwardingFailure.ClientGone, "the client went away while the response was sent");
        }
    }

    /// <summary>What a failure came to, whatever threw it: ours carry it; a cancellation is the client leaving or the timeout; anything else is the upstream's, in <paramref name="phase"/>.</summary>
    private static ForwardingException Classify(Exception e, HttpContext http, ForwardingFailure phase) => e switch
    {
        ForwardingException known => known,
        _ when http.RequestAborted.IsCancellationRequested => new ForwardingException(ForwardingFailure.ClientGone, "the client went away", e),
        OperationCanceledException => new ForwardingException(ForwardingFailure.TimedOut, "the upstream did not answer in time", e),
        _ => new ForwardingException(phase, phase == ForwardingFailure.MidBody ? "the upstream failed while sending the body" : "the upstream reset the connection", e),
    };

    /// <summary>As <see cref="HttpForwardCall"/> maps YARP's errors; a client already answered in part has its connection aborted (the response cannot be completed).</summary>
    private static AttemptResult Failed(RouteRequest request, ForwardingException e)
    {
        var http = request.HttpContext;
        var name = request.Model!.Plan.Name;
        if (http.Response.HasStarted && e.Failure is not (ForwardingFailure.ClientGone or ForwardingFailure.ClientBody))
        {
            http.Abort();
        }
        switch (e.Failure)
        {
            case ForwardingFailure.ClientGone:
                return AttemptResult.ClientSide;
            case ForwardingFailure.ClientBody:
                SluiceErrorFeature.Set(http, SluiceErrorCode.BadRequestBody, "the request body could not be read", e);
                return AttemptResult.ClientSide;
            case ForwardingFailure.TimedOut:
                SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamTimeout, $"upstream '{name}' did not answer in time", e);
                return AttemptResult.TimedOut;
            case ForwardingFailure.Connect:
                SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamConnectFailure, $"could not connect to upstream '{name}'", e);
                return AttemptResult.ConnectFailure;
            default:
                SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamReset, $"upstream '{name}' reset the connection or sent an invalid response", e);
                // Only a failure before the answer is a reset to retry; one while streaming the body is not.
                return e.Failure == ForwardingFailure.BeforeAnswer ? AttemptResult.Reset : AttemptResult.Failed;
        }
    }
}
