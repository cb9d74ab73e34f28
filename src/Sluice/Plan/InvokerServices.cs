using Microsoft.Extensions.Logging;

namespace Sluice.Plan;

/// <summary>What a live invoker may use of its cluster: its plan, its pooled HTTP client, logging.</summary>
public sealed class InvokerServices(ClusterPlan cluster, HttpMessageInvoker client, ILoggerFactory loggerFactory)
{
    public ClusterPlan Cluster { get; } = cluster;

    /// <summary>The cluster's connection pool, proxy-safe (no redirects, cookies or decompression).</summary>
    public HttpMessageInvoker Client { get; } = client;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
