using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Gateway.Clusters;
using Sluice.Gateway.Forwarding;
using Sluice.Plan;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway.Resilience;

/// <summary>
/// The one resilience loop around every upstream call, whatever the destination kind (HTTP
/// forwarding, REST and serverless functions, Lambda, NATS, and any later kind): circuit-breaker
/// admission, the endpoint of each attempt (load balancing among usable endpoints), body
/// buffering for retries (bodies of unknown length are sent once), the retry/backoff/budget
/// loop within the route timeout, per-try timeouts, outlier recording, and clearing a failed
/// attempt's answer. The destination only makes one attempt at a time (<see cref="IUpstreamCall"/>)
/// and reports what it came to. Shared by every request; nothing here allocates per request
/// (the async state machine of a call that goes asynchronous is pooled).
/// </summary>
internal sealed class ResilientCaller(IHttpForwarder forwarder, GatewayOptions options)
{
    /// <summary>Plain HTTP forwarding, as an attempt: YARP's, or the direct forwarder (which hands YARP what it does not serve).</summary>
    public IUpstreamCall Forward { get; } = options.UpstreamClient == UpstreamClient.Direct
        ? new DirectForwardCall(new HttpForwardCall(forwarder), options.UpstreamIdleTimeout)
        : new HttpForwardCall(forwarder);

    public ValueTask CallAsync(RouteRequest request, ClusterState cluster, IUpstreamCall call)
    {
        var model = cluster.Model;
        request.Calling(cluster, model);
        if (model.Endpoints.Length == 0)
        {
            SluiceErrorFeature.Set(request.HttpContext, SluiceErrorCode.NoHealthyUpstream, $"upstream '{model.Plan.Name}' has no endpoints");
            return ValueTask.CompletedTask;
        }
        if (!cluster.Breakers.TryAdmit(model.Plan.CircuitBreakers, model.Endpoints.Length))
        {
            SluiceErrorFeature.Set(request.HttpContext, SluiceErrorCode.CircuitBreakerOpen, $"upstream '{model.Plan.Name}' is at its circuit breaker limit");
            return ValueTask.CompletedTask;
        }
        return CallAdmittedAsync(request, cluster, model, call);
    }

    /// <summary>The attempts of one admitted request: one async method, its state machine pooled (a forward with a real upstream always goes asynchronous).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CallAdmittedAsync(RouteRequest request, ClusterState cluster, ClusterModel model, IUpstreamCall call)
    {
        try
        {
            var context = request.HttpContext;
            var route = request.State;
            var isUpgrade = context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
                || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
            request.IsUpgrade = isUpgrade;
            var retries = isUpgrade ? null : route.Plan.Retries;
            var attempts = 1 + (retries?.NumRetries ?? 0);
            if (attempts > 1 && !await BufferBodyForRetriesAsync(context))
            {
                attempts = 1;
            }
            // Retries share the route timeout: one that could not start before it passes is not tried.
            var started = Stopwatch.GetTimestamp();
            var budget = route.Plan.Timeout ?? RoutePlan.DefaultTimeout;
            var attemptTimeout = isUpgrade ? RouteState.UpgradeIdleTimeout : route.AttemptTimeout;
            var breakers = cluster.Breakers;
            var limits = model.Plan.CircuitBreakers;

            request.FromTrustedProxy = IsTrustedProxy(context);
            request.Attempting(cluster.NextEndpoint(model), attemptTimeout);
            for (var attempt = 1; ; attempt++)
            {
                // Decided before sending: an answer held back for a retry can no longer be passed on.
                var backoff = retries is null ? TimeSpan.Zero : Backoff(retries, attempt);
                request.MayRetry = attempt < attempts && Stopwatch.GetElapsedTime(started) + backoff < budget && breakers.RetryAllowed(limits);
                request.RetryRequested = false;
                var endpoint = request.EndpointState!;
                endpoint.RequestStarted();
                if (attempt > 1)
                {
                    breakers.RetryStarted();
                }
                AttemptResult result;
                try
                {
                    result = await call.TryAsync(request);
                }
                finally
                {
                    endpoint.RequestEnded();
                    if (attempt > 1)
                    {
                        breakers.RetryEnded();
                    }
                }
                if (request.RetryRequested)
                {
                    // However the attempt put it: the answer was held back, so another attempt must follow.
                    result = AttemptResult.HeldBack;
                }

                cluster.Record(model, endpoint, OutcomeOf(result, context));
                if (result == AttemptResult.HeldBack || (request.MayRetry && !context.Response.HasStarted && IsRetriable(result, retries!)))
                {
                    await Task.Delay(backoff, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    ResetForRetry(context);
                    request.Retrying();
                    request.Attempting(OtherEndpoint(cluster, model, endpoint), attemptTimeout);
                    continue;
                }
                return;
            }
    
        }
        finally
        {
            cluster.Breakers.Release();
        }
    }

    /// <summary>What outlier detection counts against the endpoint for one attempt.</summary>
    private static AttemptOutcome OutcomeOf(AttemptResult result, HttpContext context) => result switch
    {
        // A failed response transformation answers with the gateway's error, not the upstream's status.
        AttemptResult.Answered => (context.Features.Get<ISluiceErrorFeature>()?.Error.StatusCode ?? context.Response.StatusCode) >= 500
            ? AttemptOutcome.ServerError
            : AttemptOutcome.Success,
        AttemptResult.ClientSide => AttemptOutcome.Unknown,
        AttemptResult.ConnectFailure => AttemptOutcome.ConnectFailure,
        _ => AttemptOutcome.ServerError,
    };

    /// <summary>A failed attempt is retried where the policy covers its kind of failure.</summary>
    private static bool IsRetriable(AttemptResult result, RetryPlan retries) => result switch
    {
        AttemptResult.ConnectFailure => retries.RetriesConnectFailure,
        AttemptResult.Reset or AttemptResult.TimedOut => retries.RetriesReset,
        _ => false,
    };

    private bool IsTrustedProxy(HttpContext context)
    {
        var trusted = options.TrustedProxies;
        if (trusted.Count == 0 || context.Connection.RemoteIpAddress is not { } peer)
        {
            return false;
        }
        peer = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        for (var i = 0; i < trusted.Count; i++)
        {
            if (trusted[i].Contains(peer))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A retried request must be sent again whole, so its body is kept in memory, up to a limit;
    /// a larger (or unknown-length) body is sent once, unretried.
    /// </summary>
    private async ValueTask<bool> BufferBodyForRetriesAsync(HttpContext context)
    {
        var request = context.Request;
        var length = request.ContentLength;
        if (length is null)
        {
            // Not just chunked HTTP/1.1: an HTTP/2 body needs neither content-length nor
            // transfer-encoding. Kestrel knows whether a body follows.
            return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false;
        }
        if (length > options.MaxRetryBufferBytes)
        {
            return false;
        }
        if (length > 0 && !request.Body.CanSeek)
        {
            request.EnableBuffering(options.MaxRetryBufferBytes);
            await request.Body.CopyToAsync(Stream.Null);
            request.Body.Position = 0;
        }
        return true;
    }

    /// <summary>Envoy's backoff: a random wait below 25 ms · 2^(retry−1), at most 250 ms.</summary>
    private static TimeSpan Backoff(RetryPlan retries, int attempt)
    {
        var ceiling = Math.Min(retries.BaseInterval.Ticks << Math.Min(attempt - 1, 10), retries.BaseInterval.Ticks * 10);
        return TimeSpan.FromTicks(Random.Shared.NextInt64(ceiling));
    }

    /// <summary>Another endpoint than the one that just failed, when the cluster has one.</summary>
    private static EndpointState OtherEndpoint(ClusterState cluster, ClusterModel model, EndpointState failed)
    {
        for (var tries = 0; tries < 4; tries++)
        {
            var next = cluster.NextEndpoint(model);
            if (next != failed)
            {
                return next;
            }
        }
        return failed;
    }

    private static void ResetForRetry(HttpContext context)
    {
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        SluiceErrorFeature.Clear(context);
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }
    }
}
