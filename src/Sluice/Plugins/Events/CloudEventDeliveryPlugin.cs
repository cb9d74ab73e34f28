using Sluice.Api;
using Sluice.Translation;

namespace Sluice.Plugins.Events;

/// <summary>
/// CloudEvents on routes. Event routes (<c>event_matcher</c>) get the <see cref="CloudEventGate"/>,
/// which checks requests to <c>/events</c> before matching. Route extension <c>cloudevents</c> (beyond Gloo): deliver the route's plain HTTP requests to
/// their destination as CloudEvents in binary mode.
/// <code>
/// extensions:
///   cloudevents: { deliver_as: binary, type: com.example.webhook, source: /sluice/webhooks, subject: optional }
/// </code>
/// </summary>
internal sealed class CloudEventDeliveryPlugin : IRoutePlugin
{
    private const string Key = "cloudevents";

    public string Name => "cloudevents";

    public IReadOnlyCollection<string> ExtensionKeys { get; } = [Key];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        if (builder.Match?.EventType is not null)
        {
            builder.Gates.Add(CloudEventGate.Instance);
        }
        var extensions = new SpecReader(route.Extensions, "extensions", diagnostics);
        var options = extensions.Object(Key);
        if (options is null)
        {
            return;
        }
        var field = $"extensions.{Key}";
        var mode = options.String("deliver_as") ?? "binary";
        var type = options.String("type");
        var source = options.String("source");
        var subject = options.String("subject");
        options.WarnUnknownKeys();

        var valid = true;
        if (mode != "binary")
        {
            diagnostics.Error($"{field}.deliver_as", $"'{mode}' is not supported: only 'binary' (the body stays the data, attributes go in ce-* headers)");
            valid = false;
        }
        if (string.IsNullOrWhiteSpace(type))
        {
            diagnostics.Error($"{field}.type", "required: the CloudEvent type to give the requests");
            valid = false;
        }
        if (string.IsNullOrWhiteSpace(source))
        {
            diagnostics.Error($"{field}.source", "required: a URI-reference naming where the events come from");
            valid = false;
        }
        else if (!Uri.TryCreate(source, UriKind.RelativeOrAbsolute, out _))
        {
            diagnostics.Error($"{field}.source", $"'{source}' is not a URI-reference");
            valid = false;
        }
        foreach (var (name, value) in new[] { ("type", type), ("source", source), ("subject", subject) })
        {
            if (value is not null && value.Any(char.IsControl))
            {
                diagnostics.Error($"{field}.{name}", "must not contain control characters");
                valid = false;
            }
        }
        if (valid)
        {
            var delivery = new CloudEventDelivery(type!, source!, subject);
            // Read by destinations that do not forward over HTTP (NATS headers); a filter for those that do.
            builder.Data.Set(delivery);
            builder.Filters.Add(delivery);
        }
    }
}
