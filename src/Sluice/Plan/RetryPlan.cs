using Sluice.Api;

namespace Sluice.Plan;

/// <summary>
/// A route's retry policy. Retries wait a jittered backoff, go to another endpoint when there is
/// one, and never start after the route timeout has passed.
/// </summary>
public sealed record RetryPlan
{
    public required int NumRetries { get; init; }

    public required RetryOn RetryOn { get; init; }

    public ValueList<int> RetriableStatusCodes { get; init; } = ValueList<int>.Empty;

    /// <summary>Inactivity allowed per attempt; null = the route timeout.</summary>
    public TimeSpan? PerTryTimeout { get; init; }

    /// <summary>First backoff ceiling; doubles per retry up to ten times this (Envoy's defaults).</summary>
    public TimeSpan BaseInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    public bool RetriesStatus(int status) =>
        (RetryOn.HasFlag(RetryOn.ServerError) && status >= 500)
        || (RetryOn.HasFlag(RetryOn.GatewayError) && status is 502 or 503 or 504)
        || (RetryOn.HasFlag(RetryOn.Retriable4xx) && status == 409)
        || (RetryOn.HasFlag(RetryOn.RetriableStatusCodes) && RetriableStatusCodes.Contains(status));

    public bool RetriesConnectFailure => (RetryOn & (RetryOn.ServerError | RetryOn.GatewayError | RetryOn.ConnectFailure)) != 0;

    public bool RetriesReset => (RetryOn & (RetryOn.ServerError | RetryOn.Reset)) != 0;

    /// <summary>Gloo's <c>max_retries: N</c>: 5xx (which covers connect failures), N times.</summary>
    public static RetryPlan MaxRetries(int count) => new() { NumRetries = count, RetryOn = RetryOn.ServerError };
}
