namespace Sluice.Plugins.Events;

/// <summary>
/// Request feature: the <c>type</c> read from a structured-mode CloudEvent body, so event routes
/// can match it without reading the body again.
/// </summary>
internal sealed class StructuredCloudEvent(string type)
{
    public string Type { get; } = type;
}
