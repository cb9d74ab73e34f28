namespace Sluice.Gateway.Clusters;

/// <summary>What one forwarding attempt came to, as outlier detection counts it.</summary>
internal enum AttemptOutcome
{
    /// <summary>Not the endpoint's doing (the client went away): not counted.</summary>
    Unknown,
    Success,

    /// <summary>A 5xx answer, a reset, or no answer in time.</summary>
    ServerError,
    ConnectFailure,
}
