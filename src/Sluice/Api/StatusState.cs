namespace Sluice.Api;

/// <summary>The verdict Sluice gives an object. Numbers follow Gloo's enum; Warning is Sluice's.</summary>
public enum StatusState
{
    Pending = 0,
    Accepted = 1,
    Rejected = 2,
    Warning = 3,
}
