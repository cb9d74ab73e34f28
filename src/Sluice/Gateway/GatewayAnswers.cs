using Microsoft.AspNetCore.Http;

namespace Sluice.Gateway;

/// <summary>
/// Responses the gateway makes itself: a status, <c>x-sluice-error</c> with a stable code a
/// client can branch on, and a short plain-text reason.
/// </summary>
internal static class GatewayAnswers
{
    public const string ErrorHeader = "x-sluice-error";

    public static Task WriteAsync(HttpContext context, int statusCode, string code, string message)
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
        response.StatusCode = statusCode;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers[ErrorHeader] = code;
        return response.WriteAsync(message + "\n");
    }
}
