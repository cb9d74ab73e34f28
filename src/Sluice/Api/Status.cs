namespace Sluice.Api;

/// <summary>Written by Sluice, never by users: the object's verdict and, unless accepted, why.</summary>
public sealed record Status(StatusState State, string? Reason = null)
{
    public static readonly Status Pending = new(StatusState.Pending);
    public static readonly Status Accepted = new(StatusState.Accepted);
}
