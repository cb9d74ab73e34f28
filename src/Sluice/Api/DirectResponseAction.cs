namespace Sluice.Api;

/// <summary>A route that answers by itself with a fixed status and body.</summary>
public sealed record DirectResponseAction
{
    public uint Status { get; init; }

    public string? Body { get; init; }
}
