using Sluice.Plan;

namespace Sluice.Gateway.Clusters;

/// <summary>
/// A cluster's circuit breakers: requests and retries in flight, counted across reloads (the
/// requests they count outlive any one plan), checked against the current plan's limits.
/// </summary>
internal sealed class CircuitBreakers
{
    private int _activeRequests;
    private int _activeRetries;

    /// <summary>
    /// Admits a request under the limits (requests in flight, and requests waiting for a
    /// connection beyond those every connection carries); false = answer 503 at once.
    /// Pair with <see cref="Release"/>.
    /// </summary>
    public bool TryAdmit(CircuitBreakerPlan? limits, int endpoints)
    {
        var active = Interlocked.Increment(ref _activeRequests);
        if (limits is not null
            && (active > limits.MaxRequests
                || (limits is { MaxConnections: { } connections, MaxPendingRequests: { } pending } && active > connections * endpoints + pending)))
        {
            Interlocked.Decrement(ref _activeRequests);
            return false;
        }
        return true;
    }

    public void Release() => Interlocked.Decrement(ref _activeRequests);

    /// <summary>Whether another retry fits under <c>max_retries</c> (checked before an attempt; approximate under races, as Envoy's is).</summary>
    public bool RetryAllowed(CircuitBreakerPlan? limits) => limits?.MaxRetries is not { } max || Volatile.Read(ref _activeRetries) < max;

    public void RetryStarted() => Interlocked.Increment(ref _activeRetries);

    public void RetryEnded() => Interlocked.Decrement(ref _activeRetries);
}
