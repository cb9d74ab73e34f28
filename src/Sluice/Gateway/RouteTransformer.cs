using Microsoft.AspNetCore.Http;
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
    private readonly bool _rewritesPath = route.PrefixRewrite is not null || route.RegexRewrite is not null;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        var path = _rewritesPath ? new PathString(RewritePath(request.Path.Value ?? "/")) : request.Path;
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, request.QueryString);

        var state = RequestOf(httpContext);
        // Envoy kept the client's Host unless told otherwise; Gloo rewrote it for DNS-named hosts.
        proxyRequest.Headers.Host = route.HostRewrite ?? state.EndpointState!.HostHeader ?? request.Host.Value;

        var remoteAddress = httpContext.Connection.RemoteIpAddress;
        if (remoteAddress is not null)
        {
            // Dual-stack listeners see IPv4 clients as ::ffff:a.b.c.d; upstreams expect a.b.c.d.
            var client = remoteAddress.IsIPv4MappedToIPv6 ? remoteAddress.MapToIPv4() : remoteAddress;
            proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-for", client.ToString());
        }
        proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-proto", request.Scheme);
        GatewayTracing.Inject(proxyRequest);

        state.Pipeline.Decorate(state, proxyRequest);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var state = RequestOf(httpContext);
        if (proxyResponse is not null && route.Retries is { } retries && retries.RetriesStatus((int)proxyResponse.StatusCode) && state.MayRetry)
        {
            // Not copied: the caller resets the response and tries again.
            state.RetryRequested = true;
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        state.ApplyResponse();
        return true;
    }

    private static RouteRequest RequestOf(HttpContext context) => (RouteRequest)context.Features.Get<RouteContext>()!;

    private string RewritePath(string path) => route.RegexRewrite is { } regex
        ? regex.Replace(path, route.RegexSubstitution ?? "")
        : PathRewrite.ReplacePrefix(route.Match, route.PrefixRewrite!, path);
}
