using Microsoft.Extensions.Logging;

namespace Sluice.Plan;

/// <summary>What a live invoker may use of its cluster: its plan, its pooled HTTP client, endpoint reachability, logging.</summary>
public sealed class InvokerServices(ClusterPlan cluster, HttpMessageInvoker client, IEndpointReachability reachability, ILoggerFactory loggerFactory, IRuntimeFindings findings)
{
    public ClusterPlan Cluster { get; } = cluster;

    /// <summary>The cluster's connection pool, proxy-safe (no redirects, cookies or decompression).</summary>
    public HttpMessageInvoker Client { get; } = client;

    /// <summary>Where a client that connects by itself reports which endpoints it can reach.</summary>
    public IEndpointReachability Reachability { get; } = reachability;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    /// <summary>Where an invoker reports what it learns about the upstream once running; the upstream's status shows it.</summary>
    public IRuntimeFindings Findings { get; } = findings;
}
