using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Sluice.Api;
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
    private readonly bool _rewritesPath;
    private readonly IForwardedRequestDecorator[] _decorators;

    public RouteTransformer(RoutePlan route)
    {
        _route = route;
        _decorators = route.Data.Items.OfType<IForwardedRequestDecorator>().ToArray();
        _cors = route.Cors is null ? null : new CorsPolicy(route.Cors);
        _rewritesPath = route.PrefixRewrite is not null || route.RegexRewrite is not null;
    }

    public CorsPolicy? Cors => _cors;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        var path = _rewritesPath ? new PathString(RewritePath(request.Path.Value ?? "/")) : request.Path;
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, path, request.QueryString);

        var state = httpContext.Features.Get<ProxyRequestState>()!;
        // Envoy kept the client's Host unless told otherwise; Gloo rewrote it for DNS-named hosts.
        proxyRequest.Headers.Host = _route.HostRewrite ?? state.Endpoint.HostHeader ?? request.Host.Value;

        var remoteAddress = httpContext.Connection.RemoteIpAddress;
        if (remoteAddress is not null)
        {
            // Dual-stack listeners see IPv4 clients as ::ffff:a.b.c.d; upstreams expect a.b.c.d.
            var client = remoteAddress.IsIPv4MappedToIPv6 ? remoteAddress.MapToIPv4() : remoteAddress;
            proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-for", client.ToString());
        }
        proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-proto", request.Scheme);
        GatewayTracing.Inject(proxyRequest);

        var added = _route.AddRequestHeaders;
        for (var i = 0; i < added.Count; i++)
        {
            AddRequestHeader(proxyRequest, added[i]);
        }
        foreach (var decorator in _decorators)
        {
            decorator.Decorate(httpContext, proxyRequest);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && _route.Retries is { } retries && retries.RetriesStatus((int)proxyResponse.StatusCode))
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
        AddResponseHeaders(headers, _route.AddResponseHeaders);
        _cors?.Apply(httpContext);
        return true;
    }

    private string RewritePath(string path) => _route.RegexRewrite is { } regex
        ? regex.Replace(path, _route.RegexSubstitution ?? "")
        : PathRewrite.ReplacePrefix(_route.Match, _route.PrefixRewrite!, path);

    /// <summary>A route's <c>add_response_headers</c>, on proxied answers and on the route's own answers alike.</summary>
    internal static void AddResponseHeaders(IHeaderDictionary headers, ValueList<HeaderValuePlan> added)
    {
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
    }

    /// <summary>Headers .NET keeps on the content, not on the request (asking the request for them throws).</summary>
    private static readonly FrozenSet<string> ContentHeaders = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
        "Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static void AddRequestHeader(HttpRequestMessage request, HeaderValuePlan header)
    {
        if (ContentHeaders.Contains(header.Name))
        {
            if (request.Content is { } content)
            {
                if (!header.Append)
                {
                    content.Headers.Remove(header.Name);
                }
                content.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
            return;
        }
        if (!header.Append)
        {
            request.Headers.Remove(header.Name);
        }
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
    }
}
