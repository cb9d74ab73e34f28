using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// The one place a <see cref="SluiceError"/> becomes a response: its status, <c>x-sluice-error</c>
/// with the code's stable name, a JSON body (<c>{"code": name, "message": reason}</c>), and one log event (a warning when
/// the gateway or an upstream failed, with the remote party's own text, which the client never
/// sees; debug when the client's request was refused).
/// </summary>
internal sealed partial class ErrorResponder(ILogger<ErrorResponder> logger)
{
    public Task AnswerAsync(HttpContext context, ISluiceErrorFeature failure)
    {
        var error = failure.Error;
        var status = error.StatusCode;
        // The cause's message only: one line per failure, not a stack trace.
        Log.Answered(logger, status >= 500 ? LogLevel.Warning : LogLevel.Debug, status, error.Name, context.Request.Method, context.Request.Path, error.Message, failure.Detail ?? failure.Exception?.Message ?? "");

        return WriteAsync(context, error);
    }

    /// <summary>The answer alone, for endpoints outside the data plane (the admin API), which log nothing.</summary>
    public static Task WriteAsync(HttpContext context, SluiceError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Too late to answer: the upstream's status line is out. Cut the connection so the
            // client sees an incomplete response rather than a silently truncated one.
            context.Abort();
            return Task.CompletedTask;
        }
        response.Clear();
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[SluiceError.Header] = error.Name;
        return response.Body.WriteAsync(Body(error)).AsTask();
    }

    /// <summary>
    /// <c>{"code":"…","message":"…"}</c>: the same stable code as the header, so a client that
    /// only reads bodies still tells failures apart, and the reason for people.
    /// </summary>
    private static ReadOnlyMemory<byte> Body(SluiceError error)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + error.Message.Length);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString(CodeProperty, error.Name);
            json.WriteString(MessageProperty, error.Message);
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    // Relaxed: the body is served as JSON, never embedded in HTML, so "<" or "'" in a reason need
    // no \u escapes; quotes and control characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonEncodedText CodeProperty = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText MessageProperty = JsonEncodedText.Encode("message");

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.GatewayError, EventName = "GatewayError", Message = "Answered {Status} {Code} to {Method} {Path}: {Reason} {Cause}")]
        public static partial void Answered(ILogger logger, LogLevel level, int status, string code, string method, PathString path, string reason, string cause);
    }
}
