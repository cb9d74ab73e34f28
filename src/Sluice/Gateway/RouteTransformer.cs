using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Sluice.Gateway.Clusters;
using Sluice.Plan;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// A route's forwarding changes, prepared once per plan and shared by all its requests: path
/// rewrite, Host, forwarding headers and the pipeline's request decorators on the way up; on the
/// way down, holding back a 5xx that will be retried, then the pipeline's response filters.
/// </summary>
internal sealed class RouteTransformer(RoutePlan route) : HttpTransformer
{
    /// <summary>The route rewrites the path (prefix or regex): <see cref="RewritePath"/> gives the upstream's.</summary>
    public bool RewritesPath { get; } = route.PrefixRewrite is not null || route.RegexRewrite is not null;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        var path = RewritesPath ? new PathString(RewritePath(request.Path.Value ?? "/")) : request.Path;
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, request.QueryString);

        var state = RequestOf(httpContext);
        // Envoy kept the client's Host unless told otherwise; Gloo rewrote it for DNS-named hosts.
        proxyRequest.Headers.Host = route.HostRewrite ?? state.EndpointState!.HostHeader ?? request.Host.Value;

        var incoming = request.Headers;
        if (incoming.Connection.Count > 0)
        {
            RemoveConnectionOptions(incoming.Connection, proxyRequest);
        }
        SetForwardingHeaders(httpContext, proxyRequest, state);
        GatewayTracing.Inject(proxyRequest);

        state.Pipeline.Decorate(state, proxyRequest);
    }

    /// <summary>
    /// The client's address is appended to <c>x-forwarded-for</c> only after a trusted proxy's
    /// chain; from anyone else the chain (and <c>x-forwarded-host</c>, <c>forwarded</c>,
    /// <c>x-real-ip</c>) could be forged, so it is replaced or dropped. <c>x-forwarded-proto</c>
    /// is the gateway's own listener's scheme unless a trusted proxy sent one: a load balancer
    /// that terminates TLS in front of the gateway knows the client's scheme, the gateway does
    /// not. Nothing is removed that the client did not send.
    /// </summary>
    private static void SetForwardingHeaders(HttpContext httpContext, HttpRequestMessage proxyRequest, RouteRequest state)
    {
        var incoming = httpContext.Request.Headers;
        var headers = proxyRequest.Headers;
        if (!state.FromTrustedProxy)
        {
            foreach (var name in UntrustedForwardingHeaders)
            {
                if (incoming.ContainsKey(name))
                {
                    headers.Remove(name);
                }
            }
        }
        if (!state.FromTrustedProxy || !incoming.ContainsKey(ForwardedProto))
        {
            headers.Remove(ForwardedProto);
            headers.TryAddWithoutValidation(ForwardedProto, httpContext.Request.Scheme);
        }

        if (httpContext.Connection.RemoteIpAddress is { } peer)
        {
            headers.TryAddWithoutValidation(ForwardedFor, state.ClientAddressText(peer));
        }
    }

    /// <summary>
    /// RFC 9110 §7.6.1: headers the client named in <c>Connection</c> were meant for the gateway
    /// alone. YARP drops <c>Connection</c> itself and the fixed hop-by-hop headers; the ones it
    /// manages for upgrades (<c>Upgrade</c>) are left to it.
    /// </summary>
    private static void RemoveConnectionOptions(StringValues connection, HttpRequestMessage proxyRequest)
    {
        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var option = value.AsSpan()[range].Trim();
                if (option.IsEmpty || option.Equals("close", StringComparison.OrdinalIgnoreCase)
                    || option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || option.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                // Content headers frame the body the gateway sends: not the client's to drop.
                // NonValidated: a name that is no valid header name is skipped, not thrown on.
                var name = option.ToString();
                if (!ContentHeaderNames.All.Contains(name) && proxyRequest.Headers.NonValidated.Contains(name))
                {
                    proxyRequest.Headers.Remove(name);
                }
            }
        }
    }

    private const string ForwardedFor = "x-forwarded-for";

    private const string ForwardedProto = "x-forwarded-proto";

    private static readonly string[] UntrustedForwardingHeaders = [ForwardedFor, "x-forwarded-host", "forwarded", "x-real-ip"];

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var state = RequestOf(httpContext);
        if (proxyResponse is not null && state.HoldsBack((int)proxyResponse.StatusCode))
        {
            // Not copied: the resilience loop resets the response and tries again.
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        state.ApplyResponse();
        return true;
    }

    private static RouteRequest RequestOf(HttpContext context) => (RouteRequest)context.Features.Get<RouteContext>()!;

    public string RewritePath(string path) => route.RegexRewrite is { } regex
        ? regex.Replace(path, route.RegexSubstitution ?? "")
        : PathRewrite.ReplacePrefix(route.Match, route.PrefixRewrite!, path);
}
