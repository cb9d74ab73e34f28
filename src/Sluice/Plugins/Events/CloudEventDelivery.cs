using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Events;

/// <summary>
/// Delivers a plain HTTP request as a CloudEvents 1.0 binary-mode event: the body is the data,
/// its Content-Type the data content type, and the attributes travel as <c>ce-*</c> headers. A
/// request that already is a CloudEvent is passed on unchanged.
/// </summary>
internal sealed record CloudEventDelivery(string Type, string Source, string? Subject) : IForwardedRequestDecorator
{
    /// <summary>Key of the event id in <see cref="HttpContext.Items"/>: retries resend the same event.</summary>
    private static readonly object IdKey = new();

    public void Decorate(HttpContext context, HttpRequestMessage proxyRequest)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey("ce-specversion")
            || (context.Request.ContentType?.StartsWith("application/cloudevents", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return;
        }
        if (context.Items[IdKey] is not string id)
        {
            id = Guid.NewGuid().ToString();
            context.Items[IdKey] = id;
        }
        var target = proxyRequest.Headers;
        target.TryAddWithoutValidation("ce-specversion", "1.0");
        target.TryAddWithoutValidation("ce-id", id);
        target.TryAddWithoutValidation("ce-source", Source);
        target.TryAddWithoutValidation("ce-type", Type);
        target.TryAddWithoutValidation("ce-time", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture));
        if (Subject is not null)
        {
            target.TryAddWithoutValidation("ce-subject", Subject);
        }
    }
}
