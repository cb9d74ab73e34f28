using Microsoft.AspNetCore.Http;

namespace Sluice.Plan;

/// <summary>
/// Sets a request's <see cref="ISluiceErrorFeature"/>. Filters, invokers and the forwarding
/// loop only set it and return; the gateway answers it once the route's work is done.
/// </summary>
public sealed class SluiceErrorFeature(SluiceError error, Exception? exception, string? detail) : ISluiceErrorFeature
{
    public SluiceError Error { get; } = error;

    public Exception? Exception { get; } = exception;

    public string? Detail { get; } = detail;

    public static void Set(HttpContext context, SluiceError error, Exception? exception = null, string? detail = null) =>
        context.Features.Set<ISluiceErrorFeature>(new SluiceErrorFeature(error, exception, detail));

    public static void Set(HttpContext context, SluiceErrorCode code, string message, Exception? exception = null, string? detail = null) =>
        Set(context, new SluiceError(code, message), exception, detail);

    /// <summary>Forgets a failed attempt's error before the request is tried again.</summary>
    public static void Clear(HttpContext context) => context.Features.Set<ISluiceErrorFeature>(null);
}
