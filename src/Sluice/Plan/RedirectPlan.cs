namespace Sluice.Plan;

/// <summary>A redirect answered by the gateway; unset parts keep the request's own.</summary>
public sealed record RedirectPlan
{
    public int StatusCode { get; init; } = 301;

    public bool HttpsRedirect { get; init; }

    public string? Host { get; init; }

    /// <summary>Whole new path (may carry its own query).</summary>
    public string? Path { get; init; }

    /// <summary>Replacement for the route's matched prefix.</summary>
    public string? PrefixRewrite { get; init; }

    public bool StripQuery { get; init; }
}
