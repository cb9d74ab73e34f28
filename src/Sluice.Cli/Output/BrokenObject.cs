using Sluice.Api;

namespace Sluice.Cli.Output;

/// <summary>
/// An object the store names but could not load (its file no longer parses, its value has an
/// unknown field): what <c>get</c> shows for it instead of "not found".
/// </summary>
/// <param name="ServingVersion">The resource version still serving, when known: the gateway's (admin API) or the store's last record.</param>
/// <param name="ServingSource">Where <paramref name="ServingVersion"/> comes from, for the reason text.</param>
internal sealed record BrokenObject(ConfigKind Kind, string Name, ConfigError Error, string? ServingVersion, string? ServingSource)
{
    public string Reason
    {
        get
        {
            var reason = "not loaded: " + (Error with { Kind = null, ObjectName = null });
            // The serving version first: the table cuts long reasons.
            return ServingVersion is null
                ? reason
                : $"version {ServingVersion} still serving ({ServingSource}); {reason}";
        }
    }
}
