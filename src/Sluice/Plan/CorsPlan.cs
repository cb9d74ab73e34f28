using Sluice.Api;

namespace Sluice.Plan;

public sealed record CorsPlan
{
    /// <summary>Allowed origins, exact (scheme included) or <c>*</c>.</summary>
    public required ValueList<string> AllowOrigins { get; init; }

    public string? AllowMethods { get; init; }

    public string? AllowHeaders { get; init; }

    public string? ExposeHeaders { get; init; }

    /// <summary>Whole seconds, as Envoy rendered <c>max_age</c>.</summary>
    public long? MaxAgeSeconds { get; init; }

    public bool AllowCredentials { get; init; }
}
