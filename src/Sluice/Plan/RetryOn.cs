namespace Sluice.Plan;

/// <summary>What a retry policy retries on (Envoy's <c>retry_on</c> names).</summary>
[Flags]
public enum RetryOn
{
    None = 0,

    /// <summary>Any 5xx answer, and no answer at all (connect failure, reset, per-try timeout).</summary>
    ServerError = 1,

    /// <summary>502, 503 and 504 answers, and connect failures.</summary>
    GatewayError = 2,

    ConnectFailure = 4,

    /// <summary>The upstream reset the connection or did not answer within the per-try timeout.</summary>
    Reset = 8,

    /// <summary>409 Conflict.</summary>
    Retriable4xx = 16,

    /// <summary>The statuses in <see cref="RetryPlan.RetriableStatusCodes"/>.</summary>
    RetriableStatusCodes = 32,
}
