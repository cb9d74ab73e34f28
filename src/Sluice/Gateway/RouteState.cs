using System.Net;
using Sluice.Plan;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// A route of the active plan with everything a request needs prepared: destinations bound to
/// their cluster states, cumulative weights, the pipeline, the transformer and the forwarder settings.
/// </summary>
internal sealed class RouteState
{
    /// <summary>An upgraded connection (WebSocket) is long-lived: only idleness ends it.</summary>
    public static readonly TimeSpan UpgradeIdleTimeout = TimeSpan.FromMinutes(5);

    private readonly DestinationState[] _destinations;
    private readonly uint[] _cumulativeWeights;

    public RouteState(RoutePlan plan, DestinationState[] destinations, RequestLabels labels)
    {
        Plan = plan;
        Labels = labels;
        _destinations = destinations;
        _cumulativeWeights = new uint[destinations.Length];
        uint total = 0;
        for (var i = 0; i < destinations.Length; i++)
        {
            total += destinations[i].Plan.Weight;
            _cumulativeWeights[i] = total;
        }
        Transformer = new RouteTransformer(plan);
        Pipeline = new RoutePipeline(destinations.Length > 0 ? plan.Filters.Append(new DestinationFilter(this)) : plan.Filters);
        // A per-try timeout bounds each attempt's inactivity; the route timeout bounds the retries.
        AttemptTimeout = plan.Retries?.PerTryTimeout ?? plan.Timeout ?? RoutePlan.DefaultTimeout;
        ForwardsDirect = !Pipeline.DecoratesForwardedRequests;
        RequestConfig = new ForwarderRequestConfig { ActivityTimeout = AttemptTimeout };
        Http2RequestConfig = RequestConfig with { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        UpgradeRequestConfig = new ForwarderRequestConfig { ActivityTimeout = UpgradeIdleTimeout };
    }

    public RoutePlan Plan { get; }

    public RouteTransformer Transformer { get; }

    /// <summary>The plugins' filters in stage order, with the destination call as the action when the route has destinations.</summary>
    public RoutePipeline Pipeline { get; }

    /// <summary>Metric labels of requests the route answers itself (CORS preflight).</summary>
    public RequestLabels Labels { get; }

    /// <summary>What one attempt may take, whatever the destination kind: the per-try timeout, else the route timeout.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>
    /// The direct forwarder may serve this route: no filter decorates the forwarded request
    /// (request header additions, CloudEvent delivery work on YARP's <see cref="System.Net.Http.HttpRequestMessage"/>).
    /// </summary>
    public bool ForwardsDirect { get; }

    public ForwarderRequestConfig RequestConfig { get; }

    /// <summary>For clusters with <c>use_http2</c>: HTTP/2 only (prior knowledge in the clear, ALPN over TLS).</summary>
    public ForwarderRequestConfig Http2RequestConfig { get; }

    public ForwarderRequestConfig UpgradeRequestConfig { get; }

    /// <summary>One destination, or a weighted random pick among several.</summary>
    public DestinationState PickDestination()
    {
        var destinations = _destinations;
        if (destinations.Length == 1)
        {
            return destinations[0];
        }
        var ticket = (uint)Random.Shared.NextInt64(_cumulativeWeights[^1]);
        for (var i = 0; i < destinations.Length; i++)
        {
            if (ticket < _cumulativeWeights[i])
            {
                return destinations[i];
            }
        }
        return destinations[^1];
    }
}
