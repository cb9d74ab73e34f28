namespace Sluice.Plan;

/// <summary>A fixed response the route answers with, without any upstream.</summary>
public sealed record DirectResponsePlan(int StatusCode, string? Body);
