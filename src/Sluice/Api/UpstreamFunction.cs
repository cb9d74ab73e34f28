namespace Sluice.Api;

/// <summary>One function of an upstream; its spec is read by the function plugin that claims it.</summary>
public sealed record UpstreamFunction
{
    public required string Name { get; init; }

    public Struct Spec { get; init; } = Struct.Empty;
}
