using Prometheus;

namespace Sluice.Telemetry;

/// <summary>
/// The metric children of one <see cref="RequestLabels"/>, looked up once so that recording a
/// request is a few interlocked adds: one request counter per status class, the histograms and
/// the retry counter.
/// </summary>
internal sealed class BoundMetrics(GatewayMetrics owner, Counter.Child[] requestsByStatusClass, Histogram.Child duration, Histogram.Child upstreamDuration, Counter.Child retries)
{
    public GatewayMetrics Owner { get; } = owner;

    /// <summary>Indexed by <see cref="GatewayMetrics.StatusClassIndex"/>.</summary>
    public Counter.Child[] RequestsByStatusClass { get; } = requestsByStatusClass;

    public Histogram.Child Duration { get; } = duration;

    public Histogram.Child UpstreamDuration { get; } = upstreamDuration;

    public Counter.Child Retries { get; } = retries;
}
