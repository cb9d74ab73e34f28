using System.Diagnostics;
using System.Net.Http;
using System.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sluice.Plan;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// Forwards a request to a cluster's endpoints with YARP's <see cref="IHttpForwarder"/>: circuit
/// breaker admission, body buffering for retries, the retry/backoff/budget loop, outlier
/// recording, and the error a failed forward is answered with.
/// </summary>
internal sealed class UpstreamForwarder(IHttpForwarder forwarder, GatewayOptions options)
{
    public Task ForwardAsync(RouteRequest request, ClusterState cluster, HttpTransformer transformer)
    {
        if (cluster.HasEndpoints)
        {
            return ForwardToEndpointsAsync(request, cluster, transformer);
        }
        SluiceErrorFeature.Set(request.HttpContext, SluiceErrorCode.NoHealthyUpstream, $"upstream '{cluster.Plan.Name}' has no endpoints");
        return Task.CompletedTask;
    }

    private async Task ForwardToEndpointsAsync(RouteRequest request, ClusterState cluster, HttpTransformer transformer)
    {
        if (!cluster.TryAdmit())
        {
            SluiceErrorFeature.Set(request.HttpContext, SluiceErrorCode.CircuitBreakerOpen, $"upstream '{cluster.Plan.Name}' is at its circuit breaker limit");
            return;
        }
        try
        {
            await ForwardAdmittedAsync(request, cluster, transformer);
        }
        finally
        {
            cluster.Release();
        }
    }

    private async Task ForwardAdmittedAsync(RouteRequest request, ClusterState cluster, HttpTransformer transformer)
    {
        var context = request.HttpContext;
        var route = request.State;
        var isUpgrade = context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
        var retries = isUpgrade ? null : route.Plan.Retries;
        var attempts = 1 + (retries?.NumRetries ?? 0);
        if (attempts > 1 && !await BufferBodyForRetriesAsync(context))
        {
            attempts = 1;
        }
        var requestConfig = isUpgrade ? route.UpgradeRequestConfig : cluster.Plan.UseHttp2 ? route.Http2RequestConfig : route.RequestConfig;
        // Retries share the route timeout: one that could not start before it passes is not tried.
        var started = Stopwatch.GetTimestamp();
        var budget = route.Plan.Timeout ?? RoutePlan.DefaultTimeout;

        var state = request;
        state.FromTrustedProxy = IsTrustedProxy(context);
        state.Attempting(cluster.NextEndpoint());
        for (var attempt = 1; ; attempt++)
        {
            // Decided before sending: a 5xx held back for a retry can no longer be passed on.
            var backoff = retries is null ? TimeSpan.Zero : Backoff(retries, attempt);
            state.MayRetry = attempt < attempts && Stopwatch.GetElapsedTime(started) + backoff < budget && cluster.RetryAllowed;
            state.RetryRequested = false;
            var endpoint = state.EndpointState!;
            endpoint.RequestStarted();
            if (attempt > 1)
            {
                cluster.RetryStarted();
            }
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(context, endpoint.Prefix, cluster.Client, requestConfig, transformer);
            }
            finally
            {
                endpoint.RequestEnded();
                if (attempt > 1)
                {
                    cluster.RetryEnded();
                }
            }

            cluster.Record(endpoint, OutcomeOf(state, error, context));
            var retry = state.RetryRequested
                || (error != ForwarderError.None && state.MayRetry && !context.Response.HasStarted && IsRetriable(error, retries!, context));
            if (retry)
            {
                await Task.Delay(backoff, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                ResetForRetry(context);
                state.Retrying();
                state.Attempting(OtherEndpoint(cluster, endpoint));
                continue;
            }
            if (error != ForwarderError.None && ForwardingFailure(context, error, cluster) is { } failure)
            {
                SluiceErrorFeature.Set(context, failure, ForwardingException(context));
            }
            return;
        }
    }

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
        if (length > 0)
        {
            request.EnableBuffering(options.MaxRetryBufferBytes);
            await request.Body.CopyToAsync(Stream.Null);
            request.Body.Position = 0;
        }
        return true;
    }

    /// <summary>Failures of the client's side of the exchange: nothing the upstream did.</summary>
    private static bool IsClientGone(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
        or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled;

    private static AttemptOutcome OutcomeOf(RouteRequest state, ForwarderError error, HttpContext context) => error switch
    {
        _ when state.RetryRequested => AttemptOutcome.ServerError,
        // A response transformation that failed answers with the gateway's error, not the upstream's status.
        ForwarderError.None => (context.Features.Get<ISluiceErrorFeature>()?.Error.StatusCode ?? context.Response.StatusCode) >= 500
            ? AttemptOutcome.ServerError
            : AttemptOutcome.Success,
        _ when IsClientGone(error) || error == ForwarderError.RequestBodyClient => AttemptOutcome.Unknown,
        _ when IsConnectFailure(context) => AttemptOutcome.ConnectFailure,
        _ => AttemptOutcome.ServerError,
    };

    /// <summary>Envoy's backoff: a random wait below 25 ms · 2^(retry−1), at most 250 ms.</summary>
    private static TimeSpan Backoff(RetryPlan retries, int attempt)
    {
        var ceiling = Math.Min(retries.BaseInterval.Ticks << Math.Min(attempt - 1, 10), retries.BaseInterval.Ticks * 10);
        return TimeSpan.FromTicks(Random.Shared.NextInt64(ceiling));
    }

    /// <summary>A failed attempt is retried where the policy covers its kind of failure.</summary>
    private static bool IsRetriable(ForwarderError error, RetryPlan retries, HttpContext context) => error switch
    {
        ForwarderError.RequestTimedOut => retries.RetriesReset,
        ForwarderError.Request when TlsFailure(context) is not null => false,
        ForwarderError.Request when IsConnectFailure(context) => retries.RetriesConnectFailure,
        ForwarderError.Request => retries.RetriesReset,
        _ => false,
    };

    /// <summary>Another endpoint than the one that just failed, when the cluster has one.</summary>
    private static EndpointState OtherEndpoint(ClusterState cluster, EndpointState failed)
    {
        for (var tries = 0; tries < 4; tries++)
        {
            var next = cluster.NextEndpoint();
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

    private static Exception? ForwardingException(HttpContext context) => context.Features.Get<IForwarderErrorFeature>()?.Exception;

    private static bool IsConnectFailure(HttpContext context) =>
        ForwardingException(context) is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError,
        } && TlsFailure(context) is null;

    /// <summary>The handshake's own error, wherever the handler wrapped it.</summary>
    private static AuthenticationException? TlsFailure(HttpContext context)
    {
        for (var e = ForwardingException(context); e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException tls)
            {
                return tls;
            }
        }
        return null;
    }

    /// <summary>What a failed forward is answered with; null when the client went away and nobody is left to answer.</summary>
    private static SluiceError? ForwardingFailure(HttpContext context, ForwarderError error, ClusterState cluster)
    {
        var name = cluster.Plan.Name;
        return error switch
        {
            _ when IsClientGone(error) => null,
            ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout
                => new(SluiceErrorCode.UpstreamTimeout, $"upstream '{name}' did not answer in time"),
            _ when TlsFailure(context) is { } tls
                => new(SluiceErrorCode.UpstreamTlsFailure, $"TLS with upstream '{name}' failed: {tls.Message}"),
            _ when IsConnectFailure(context)
                => new(SluiceErrorCode.UpstreamConnectFailure, $"could not connect to upstream '{name}'"),
            ForwarderError.RequestBodyClient
                => new(SluiceErrorCode.BadRequestBody, "the request body could not be read"),
            _ => new(SluiceErrorCode.UpstreamReset, $"upstream '{name}' reset the connection or sent an invalid response"),
        };
    }
}
