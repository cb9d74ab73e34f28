namespace Sluice.Discovery;

/// <summary>How function discovery behaves; the defaults keep it quiet on a busy network.</summary>
public sealed record DiscoveryOptions
{
    /// <summary>Gloo's paths, then today's common ones (ASP.NET Core, FastAPI, springdoc, …).</summary>
    public static readonly IReadOnlyList<string> DefaultProbePaths =
    [
        "/swagger.json", "/swagger/docs/v1", "/swagger/docs/v2", "/v1/swagger", "/v2/swagger",
        "/swagger/v1/swagger.json", "/openapi.json", "/openapi/v1.json", "/v3/api-docs", "/api-docs",
    ];

    /// <summary>The defaults (declared after <see cref="DefaultProbePaths"/>: static fields initialise in order).</summary>
    public static readonly DiscoveryOptions Default = new();

    public DiscoveryMode Mode { get; init; } = DiscoveryMode.OptIn;

    /// <summary>Paths tried, in order, on an upstream that does not name its OpenAPI document.</summary>
    public IReadOnlyList<string> ProbePaths { get; init; } = DefaultProbePaths;

    /// <summary>Upstreams examined at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>How often an upstream whose functions were found is looked at again (to see removals).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>First wait after a pass that found nothing or failed; doubles per such pass.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two looks at an upstream that has nothing to discover.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed for one request (a probe, a document, a listing page, a reflection call).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest OpenAPI document or listing read; a larger one is refused, not truncated.</summary>
    public long MaxDocumentBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Most pages of one listing (Lambda <c>NextMarker</c>) followed in one pass.</summary>
    public int MaxPages { get; init; } = 100;

    /// <summary>The clock behind backoff and refresh (a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
