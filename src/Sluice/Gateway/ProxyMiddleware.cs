using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using System.Diagnostics;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Sluice.Plan;
using Sluice.Plugins.Events;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// The data plane: picks the virtual host and the first matching route from the active plan,
/// then answers locally or forwards with YARP's <see cref="IHttpForwarder"/>, retrying where the
/// route allows it. Everything it reads was prepared when the plan was built.
/// </summary>
internal sealed partial class ProxyMiddleware(
    PlanHolder plans,
    IHttpForwarder forwarder,
    GatewayOptions options,
    GatewayTelemetry telemetry,
    ILogger<ProxyMiddleware> logger)
{
    /// <summary>One telemetry scope per request: started here, completed when the response has ended.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var scope = telemetry.Start(context);
        var failed = true;
        try
        {
            await RouteAsync(context, scope);
            failed = false;
        }
        finally
        {
            telemetry.Complete(context, scope, failed);
        }
    }

    private Task RouteAsync(HttpContext context, RequestTelemetry scope)
    {
        var plan = plans.Current;
        var request = context.Request;
        var host = (request.IsHttps ? plan.TlsHosts : plan.Hosts).Find(request.Host.Value.AsSpan());
        if (host is null)
        {
            return GatewayAnswers.WriteAsync(context, 404, "no_virtual_service", $"no virtual service serves host '{request.Host.Value}'");
        }
        scope.Labels = host.Labels;

        if (request.IsHttps)
        {
            // SNI chose the certificate and the client-certificate check; Host chose this host.
            // Served only when both agree, or a client could reach an mTLS host over a
            // connection that never presented a certificate (RFC 9110 §15.5.20).
            if (!ReferenceEquals(context.Features.Get<TlsScope>(), host.TlsScope))
            {
                return GatewayAnswers.WriteAsync(context, 421, "misdirected_request", $"this connection's TLS session does not serve host '{request.Host.Value}'; open a new connection for it");
            }
        }
        else if (host.Plan.Tls is not null)
        {
            // Envoy's require_tls: the client is sent to HTTPS; nothing is served in the clear.
            return LocalAnswers.RedirectToHttpsAsync(context, options.HttpsPort);
        }

        if (host.HasEventRoutes && request.Path.Value == CloudEventRequests.EventsPath)
        {
            return ServeEventAsync(context, host, scope);
        }
        return MatchAndServeAsync(context, host, scope);
    }

    /// <summary>A CloudEvent is checked (and a structured one read) before event routes match it.</summary>
    private async Task ServeEventAsync(HttpContext context, VirtualHostState host, RequestTelemetry scope)
    {
        if (await CloudEventRequests.CheckAsync(context) is { } refused)
        {
            await GatewayAnswers.WriteAsync(context, refused.StatusCode, refused.Code, refused.Message);
            return;
        }
        await MatchAndServeAsync(context, host, scope);
    }

    private Task MatchAndServeAsync(HttpContext context, VirtualHostState host, RequestTelemetry scope)
    {
        var request = context.Request;
        var isPreflight = CorsPolicy.IsPreflight(request);
        var routes = host.Routes;
        for (var i = 0; i < routes.Length; i++)
        {
            if (RouteMatcher.Matches(routes[i], request, isPreflight))
            {
                return ServeAsync(context, routes[i], isPreflight, scope);
            }
        }
        return GatewayAnswers.WriteAsync(context, 404, "no_route", $"no route of virtual service '{host.Plan.Name}' matches {request.Method} {request.Path}");
    }

    private Task ServeAsync(HttpContext context, RouteState route, bool isPreflight, RequestTelemetry scope)
    {
        scope.Labels = route.Labels;
        if (isPreflight && route.Transformer.Cors is { } cors)
        {
            return cors.AnswerPreflightAsync(context);
        }
        if (route.Plan.Redirect is { } redirect)
        {
            return LocalAnswers.RedirectAsync(context, route.Plan, redirect, options.HttpsPort);
        }
        if (route.Plan.DirectResponse is { } direct)
        {
            return LocalAnswers.DirectResponseAsync(context, route.Plan, direct);
        }
        var destination = route.PickDestination();
        scope.Labels = destination.Labels;
        if (destination.Plan.Answer is { } answer)
        {
            return GatewayAnswers.WriteAsync(context, answer.StatusCode, answer.Code, answer.Message);
        }
        var cluster = destination.Cluster!;
        telemetry.BeginCall(scope);
        if (destination.Invoker is { } invoker)
        {
            return invoker.InvokeAsync(new InvocationContext(
                context, route.Plan, destination.Plan.Function, route.Transformer,
                transformer => ForwardAsync(context, route, cluster, transformer)));
        }
        return ForwardAsync(context, route, cluster, route.Transformer);
    }

    private Task ForwardAsync(HttpContext context, RouteState route, ClusterState cluster, HttpTransformer transformer) =>
        cluster.HasEndpoints
            ? ForwardToEndpointsAsync(context, route, cluster, transformer)
            : GatewayAnswers.WriteAsync(context, 503, "no_healthy_upstream", $"upstream '{cluster.Plan.Name}' has no endpoints");

    private async Task ForwardToEndpointsAsync(HttpContext context, RouteState route, ClusterState cluster, HttpTransformer transformer)
    {
        if (!cluster.TryAdmit())
        {
            await GatewayAnswers.WriteAsync(context, 503, "circuit_breaker_open", $"upstream '{cluster.Plan.Name}' is at its circuit breaker limit");
            return;
        }
        try
        {
            await ForwardAdmittedAsync(context, route, cluster, transformer);
        }
        finally
        {
            cluster.Release();
        }
    }

    private async Task ForwardAdmittedAsync(HttpContext context, RouteState route, ClusterState cluster, HttpTransformer transformer)
    {
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
        var budget = route.Plan.Timeout ?? RouteState.DefaultTimeout;

        var state = new ProxyRequestState { Endpoint = cluster.NextEndpoint(), FromTrustedProxy = IsTrustedProxy(context) };
        context.Features.Set(state);
        for (var attempt = 1; ; attempt++)
        {
            // Decided before sending: a 5xx held back for a retry can no longer be passed on.
            var backoff = retries is null ? TimeSpan.Zero : Backoff(retries, attempt);
            state.MayRetry = attempt < attempts && Stopwatch.GetElapsedTime(started) + backoff < budget && cluster.RetryAllowed;
            state.RetryRequested = false;
            var endpoint = state.Endpoint;
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
                state.Retries++;
                state.Endpoint = OtherEndpoint(cluster, state.Endpoint);
                continue;
            }
            if (error != ForwarderError.None)
            {
                var answered = await AnswerForwardingErrorAsync(context, error, cluster);
                if (answered is not null)
                {
                    var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
                    Log.ForwardingFailed(logger, cluster.Plan.Name, state.Endpoint.Prefix, route.Plan.Name, error, exception?.Message ?? "", answered);
                }
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

    private static AttemptOutcome OutcomeOf(ProxyRequestState state, ForwarderError error, HttpContext context) => error switch
    {
        _ when state.RetryRequested => AttemptOutcome.ServerError,
        ForwarderError.None => context.Response.StatusCode >= 500 ? AttemptOutcome.ServerError : AttemptOutcome.Success,
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

    /// <summary>Answers a failed forward; returns the x-sluice-error code given, or null when nobody is left to answer.</summary>
    private static async Task<string?> AnswerForwardingErrorAsync(HttpContext context, ForwarderError error, ClusterState cluster)
    {
        var name = cluster.Plan.Name;
        var (status, code, message) = error switch
        {
            // The client went away: nobody is left to answer.
            _ when IsClientGone(error) => (0, null, null),
            ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout
                => (504, "upstream_timeout", $"upstream '{name}' did not answer in time"),
            _ when TlsFailure(context) is { } tls
                => (503, "upstream_tls_failure", $"TLS with upstream '{name}' failed: {tls.Message}"),
            _ when IsConnectFailure(context)
                => (503, "upstream_connect_failure", $"could not connect to upstream '{name}'"),
            ForwarderError.RequestBodyClient
                => (400, "bad_request_body", "the request body could not be read"),
            _ => (502, "upstream_reset", $"upstream '{name}' reset the connection or sent an invalid response"),
        };
        if (code is null)
        {
            return null;
        }
        await GatewayAnswers.WriteAsync(context, status, code, message!);
        return code;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ForwardingFailed, Level = LogLevel.Warning, Message = "Upstream '{Upstream}' at {Endpoint} failed for route {Route}: {Error} {Reason}; answered {Answer}")]
        public static partial void ForwardingFailed(ILogger logger, string upstream, string endpoint, string route, ForwarderError error, string reason, string answer);
    }
}
