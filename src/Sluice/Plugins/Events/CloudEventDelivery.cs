using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Events;

/// <summary>
/// Delivers a plain HTTP request as a CloudEvents 1.0 binary-mode event: the body is the data,
/// its Content-Type the data content type, and the attributes travel as <c>ce-*</c> headers. A
/// request that already is a CloudEvent is passed on unchanged.
/// </summary>
internal sealed record CloudEventDelivery(string Type, string Source, string? Subject) : IRouteFilter, IForwardedRequestDecorator
{
    public Stage Stage => Stage.Request;

    /// <summary>Key of the event id in <see cref="HttpContext.Items"/>: retries resend the same event.</summary>
    private static readonly object IdKey = new();

    public void Decorate(HttpContext context, HttpRequestMessage proxyRequest)
    {
        var target = proxyRequest.Headers;
        ForEachAttribute(context, (name, value) => target.TryAddWithoutValidation(name, value));
    }

    /// <summary>
    /// The <c>ce-*</c> headers the request gets, none when it already is a CloudEvent. Also used
    /// by destinations that do not forward over HTTP (NATS headers).
    /// </summary>
    public void ForEachAttribute(HttpContext context, Action<string, string> add)
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
        add("ce-specversion", "1.0");
        add("ce-id", id);
        add("ce-source", Source);
        add("ce-type", Type);
        add("ce-time", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture));
        if (Subject is not null)
        {
            add("ce-subject", Subject);
        }
    }
}
