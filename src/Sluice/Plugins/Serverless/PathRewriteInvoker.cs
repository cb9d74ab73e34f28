using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plugins.Serverless;

/// <summary>
/// Forwards through the gateway (endpoints, retries, timeouts, error answers, the route's own
/// changes) and then puts the function's path, method, Host and header on the upstream request.
/// The body streams through untouched: nothing here needs it.
/// </summary>
internal sealed class PathRewriteInvoker(PathRewriteSpec spec) : IInvoker
{
    private readonly PathRewriteSpec _spec = spec;
    private readonly PathString _path = new(spec.Path);
    private readonly HttpMethod? _method = spec.Method is null ? null : HttpMethod.Parse(spec.Method);

    public Task InvokeAsync(RouteContext context) => ForwardAsync(context, authorization: null);

    /// <summary>Forwards with <paramref name="authorization"/> as the request's <c>Authorization</c>, replacing the client's (e.g. a Google ID token).</summary>
    public Task ForwardAsync(RouteContext context, string? authorization) =>
        context.ForwardAsync(new Transformer(this, context.RouteTransformer, authorization));

    private sealed class Transformer(PathRewriteInvoker invoker, HttpTransformer route, string? authorization) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await route.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var spec = invoker._spec;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, invoker._path, httpContext.Request.QueryString);
            if (invoker._method is { } method)
            {
                proxyRequest.Method = method;
            }
            if (spec.Host is { } host)
            {
                proxyRequest.Headers.Host = host;
            }
            if (authorization is not null)
            {
                proxyRequest.Headers.Remove("Authorization");
                proxyRequest.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            if (spec.HeaderName is { } name)
            {
                proxyRequest.Headers.Remove(name);
                proxyRequest.Headers.TryAddWithoutValidation(name, spec.HeaderValue);
            }
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            route.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

}
