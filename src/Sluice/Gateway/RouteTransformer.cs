using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// A route's request and response changes, prepared once per plan and shared by all its
/// requests: path rewrite, Host, added and removed headers, CORS, and holding back a 5xx that
/// will be retried.
/// </summary>
internal sealed class RouteTransformer : HttpTransformer
{
    private readonly RoutePlan _route;
    private readonly CorsPolicy? _cors;
    private readonly string? _rewriteFrom;
    private readonly string? _rewriteTo;

    public RouteTransformer(RoutePlan route)
    {
        _route = route;
        _cors = route.Cors is null ? null : new CorsPolicy(route.Cors);
        if (route.PrefixRewrite is { } rewrite)
        {
            _rewriteFrom = route.Match.Path;
            _rewriteTo = rewrite;
        }
    }

    public CorsPolicy? Cors => _cors;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        var path = _rewriteTo is null ? request.Path : new PathString(RewritePath(request.Path.Value ?? "/"));
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, request.QueryString);

        var state = httpContext.Features.Get<ProxyRequestState>()!;
        // Envoy kept the client's Host unless told otherwise; Gloo rewrote it for DNS-named hosts.
        proxyRequest.Headers.Host = _route.HostRewrite ?? state.Endpoint.HostHeader ?? request.Host.Value;

        var remoteAddress = httpContext.Connection.RemoteIpAddress;
        if (remoteAddress is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-for", remoteAddress.ToString());
        }
        proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-proto", request.Scheme);
        GatewayTracing.Inject(proxyRequest);

        var added = _route.AddRequestHeaders;
        for (var i = 0; i < added.Count; i++)
        {
            AddRequestHeader(proxyRequest, added[i]);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && (int)proxyResponse.StatusCode >= 500)
        {
            var state = httpContext.Features.Get<ProxyRequestState>()!;
            if (state.MayRetry)
            {
                // Not copied: the caller resets the response and tries again.
                state.RetryRequested = true;
                return false;
            }
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        var headers = httpContext.Response.Headers;
        var removed = _route.RemoveResponseHeaders;
        for (var i = 0; i < removed.Count; i++)
        {
            headers.Remove(removed[i]);
        }
        var added = _route.AddResponseHeaders;
        for (var i = 0; i < added.Count; i++)
        {
            var header = added[i];
            if (header.Append)
            {
                headers.Append(header.Name, header.Value);
            }
            else
            {
                headers[header.Name] = header.Value;
            }
        }
        _cors?.Apply(httpContext);
        return true;
    }

    /// <summary>
    /// Replaces the matched prefix (or, for an exact route, the whole path). A rewrite ending in
    /// '/' swallows the slash that follows the prefix, so "/api/" + "/x" gives "/x", not "//x".
    /// </summary>
    internal string RewritePath(string path)
    {
        if (_route.Match.PathKind == PathMatchKind.Exact)
        {
            return _rewriteTo!;
        }
        var rest = path.AsSpan(_rewriteFrom!.Length);
        if (_rewriteTo!.EndsWith('/') && rest.StartsWith('/'))
        {
            rest = rest[1..];
        }
        return string.Concat(_rewriteTo.AsSpan(), rest);
    }

    private static void AddRequestHeader(HttpRequestMessage request, HeaderValuePlan header)
    {
        if (!header.Append)
        {
            request.Headers.Remove(header.Name);
            request.Content?.Headers.Remove(header.Name);
        }
        // Content headers (Content-Type, …) live on the content, not on the request.
        if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value))
        {
            request.Content?.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }
    }
}
