using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using System.Diagnostics;
using System.Security.Authentication;
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
internal sealed class ProxyMiddleware(
    PlanHolder plans,
    IHttpForwarder forwarder,
    GatewayOptions options,
    GatewayTelemetry telemetry,
    ErrorResponder errors)
{
    /// <summary>One telemetry scope per request: started here, completed when the response has ended.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var scope = telemetry.Start(context);
        var failed = true;
        try
        {
            await RouteAsync(context, scope);
            if (context.Features.Get<ISluiceErrorFeature>() is { } error)
            {
                await errors.AnswerAsync(context, error);
            }
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
            SluiceErrorFeature.Set(context, SluiceErrorCode.NoVirtualService, $"no virtual service serves host '{request.Host.Value}'");
            return Task.CompletedTask;
        }
        scope.Labels = host.Labels;

        if (host.Plan.Tls is not null && !request.IsHttps)
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
            SluiceErrorFeature.Set(context, refused);
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
        SluiceErrorFeature.Set(context, SluiceErrorCode.NoRoute, $"no route of virtual service '{host.Plan.Name}' matches {request.Method} {request.Path}");
        return Task.CompletedTask;
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
            SluiceErrorFeature.Set(context, answer);
            return Task.CompletedTask;
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

    private Task ForwardAsync(HttpContext context, RouteState route, ClusterState cluster, HttpTransformer transformer)
    {
        if (cluster.HasEndpoints)
        {
            return ForwardToEndpointsAsync(context, route, cluster, transformer);
        }
        SluiceErrorFeature.Set(context, SluiceErrorCode.NoHealthyUpstream, $"upstream '{cluster.Plan.Name}' has no endpoints");
        return Task.CompletedTask;
    }

    private async Task ForwardToEndpointsAsync(HttpContext context, RouteState route, ClusterState cluster, HttpTransformer transformer)
    {
        if (!cluster.TryAdmit())
        {
            SluiceErrorFeature.Set(context, SluiceErrorCode.CircuitBreakerOpen, $"upstream '{cluster.Plan.Name}' is at its circuit breaker limit");
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
        if (attempts > 1 && !await BufferBodyForRetriesAsync(context.Request))
        {
            attempts = 1;
        }
        var requestConfig = isUpgrade ? route.UpgradeRequestConfig : cluster.Plan.UseHttp2 ? route.Http2RequestConfig : route.RequestConfig;
        // Retries share the route timeout: one that could not start before it passes is not tried.
        var started = Stopwatch.GetTimestamp();
        var budget = route.Plan.Timeout ?? RoutePlan.DefaultTimeout;

        var state = new ProxyRequestState { Endpoint = cluster.NextEndpoint() };
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
            if (error != ForwarderError.None && ForwardingFailure(context, error, cluster) is { } failure)
            {
                SluiceErrorFeature.Set(context, failure, ForwardingException(context));
            }
            return;
        }
    }

    /// <summary>
    /// A retried request must be sent again whole, so its body is kept in memory, up to a limit;
    /// a larger (or unknown-length) body is sent once, unretried.
    /// </summary>
    private async ValueTask<bool> BufferBodyForRetriesAsync(HttpRequest request)
    {
        var length = request.ContentLength;
        if (length is null)
        {
            return !request.Headers.ContainsKey("transfer-encoding");
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
