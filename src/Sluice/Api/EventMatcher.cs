namespace Sluice.Api;

/// <summary>Matches <c>/events</c> requests carrying this event type.</summary>
public sealed record EventMatcher
{
    public string EventType { get; init; } = "";
}
