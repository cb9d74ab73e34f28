namespace Sluice.Plan;

/// <summary>
/// Request feature: the type of the event a request carries in its body (a structured-mode
/// CloudEvent), set by a gate before matching so event routes match it without reading the body again.
/// </summary>
public sealed class RequestEventType(string type)
{
    public string Type { get; } = type;
}
