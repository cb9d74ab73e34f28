using System.Text.Json;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Consul;

/// <summary>
/// The endpoints in an answer of Consul's <c>/v1/health/service/&lt;name&gt;</c>: one per
/// instance, at the instance's <c>Service.Address</c>, or its node's <c>Address</c> when the
/// instance registered none (as Consul's own DNS interface answers), on <c>Service.Port</c>.
/// Which instances are listed (passing ones, with the tags) is the query's business.
/// </summary>
internal static class HealthEntries
{
    /// <summary>Sorted and distinct, so the same instances always give an equal list.</summary>
    public static ValueList<EndpointPlan> Endpoints(JsonElement entries)
    {
        if (entries.ValueKind != JsonValueKind.Array)
        {
            throw new ConsulException("the health answer is not a JSON array");
        }
        var endpoints = new HashSet<EndpointPlan>();
        foreach (var entry in entries.EnumerateArray())
        {
            var service = Property(entry, "Service");
            var port = Property(service, "Port") is { ValueKind: JsonValueKind.Number } p && p.TryGetInt32(out var number) ? number : 0;
            var host = Text(Property(service, "Address")) is { Length: > 0 } serviceAddress ? serviceAddress : Text(Property(Property(entry, "Node"), "Address"));
            // An instance without a port or an address cannot take requests (Consul lets one register so).
            if (port is > 0 and <= 65535 && !string.IsNullOrEmpty(host))
            {
                endpoints.Add(new EndpointPlan(host.Trim('[', ']'), port));
            }
        }
        return new(endpoints.OrderBy(e => e.Host, StringComparer.Ordinal).ThenBy(e => e.Port));
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static string? Text(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
