using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Applies one request's rendered templates on top of the route's own transformer (rewrites,
/// added headers, CORS still apply), then the route's response transformation, if any.
/// </summary>
internal sealed class RestTransformer(HttpTransformer route, RenderedRequest rendered, ResponseTransformation? response) : HttpTransformer
{
    private static readonly FrozenSet<string> ContentHeaders = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await route.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        if (rendered.Path is { } path)
        {
            // The rendered path is already encoded (values were escaped where they landed): it goes
            // out as written. A PathString round trip would decode '%2F' and '%25' and re-encode them.
            var query = path.IndexOf('?');
            var target = path.StartsWith('/') ? path : "/" + path;
            if (query == path.Length - 1)
            {
                target = target[..^1];
            }
            proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + target, UriKind.Absolute);
        }
        if (rendered.Method is { } method)
        {
            proxyRequest.Method = HttpMethod.Parse(method);
        }

        foreach (var (name, value) in rendered.Headers)
        {
            SetHeader(proxyRequest, name, value);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await route.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!proceed || proxyResponse is null || response is null)
        {
            return proceed;
        }
        return await ResponseRenderer.ApplyAsync(httpContext, proxyResponse, response, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        route.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);

    /// <summary>Replaces the header (Envoy removed then set); content headers live on the content.</summary>
    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        if (name == ":authority")
        {
            request.Headers.Host = value;
            return;
        }
        // HttpRequestHeaders.Remove throws for a content header's name, so those go to the content.
        if (ContentHeaders.Contains(name))
        {
            if (request.Content is { } content)
            {
                content.Headers.Remove(name);
                content.Headers.TryAddWithoutValidation(name, value);
            }
            return;
        }
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}
