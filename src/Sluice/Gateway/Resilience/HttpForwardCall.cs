using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway.Resilience;

/// <summary>
/// One forwarding attempt with YARP's <see cref="IHttpForwarder"/> to the attempt's endpoint,
/// through the cluster's pooled client, with the request's transformer (the route's, or an
/// invoker's built on it: REST templates, serverless paths). Maps YARP's error to what the
/// attempt came to and to the <see cref="SluiceError"/> it is answered with. One per gateway.
/// </summary>
internal sealed class HttpForwardCall(IHttpForwarder forwarder) : IUpstreamCall
{
    // Pooled: a forward that goes asynchronous reuses a state machine box instead of allocating one per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<AttemptResult> TryAsync(RouteContext context)
    {
        var request = (RouteRequest)context;
        var http = request.HttpContext;
        var model = request.Model!;
        var route = request.State;
        var config = request.IsUpgrade ? route.UpgradeRequestConfig : model.Plan.UseHttp2 ? route.Http2RequestConfig : route.RequestConfig;
        var error = await forwarder.SendAsync(http, request.Endpoint!, model.Client, config, request.Transformer ?? route.Transformer);
        if (error == ForwarderError.None || request.RetryRequested)
        {
            // A 5xx the route retries was held back by the transformer (RetryRequested): the loop sees to it.
            return AttemptResult.Answered;
        }

        var name = model.Plan.Name;
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled:
                // The client went away: nobody is left to answer, and the upstream did nothing wrong.
                return AttemptResult.ClientSide;
            case ForwarderError.RequestBodyClient:
                SluiceErrorFeature.Set(http, SluiceErrorCode.BadRequestBody, "the request body could not be read", ForwardingException(http));
                return AttemptResult.ClientSide;
            case ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout:
                SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamTimeout, $"upstream '{name}' did not answer in time", ForwardingException(http));
                return AttemptResult.TimedOut;
        }
        if (TlsFailure(http) is { } tls)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamTlsFailure, $"TLS with upstream '{name}' failed: {tls.Message}", ForwardingException(http));
            return AttemptResult.Failed;
        }
        if (IsConnectFailure(http))
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamConnectFailure, $"could not connect to upstream '{name}'", ForwardingException(http));
            return AttemptResult.ConnectFailure;
        }
        SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamReset, $"upstream '{name}' reset the connection or sent an invalid response", ForwardingException(http));
        // Only a failure of the request itself is a reset to retry; one while streaming bodies is not.
        return error == ForwarderError.Request ? AttemptResult.Reset : AttemptResult.Failed;
    }

    private static Exception? ForwardingException(HttpContext context) => context.Features.Get<IForwarderErrorFeature>()?.Exception;

    private static bool IsConnectFailure(HttpContext context) =>
        ForwardingException(context) is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError,
        };

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
}
