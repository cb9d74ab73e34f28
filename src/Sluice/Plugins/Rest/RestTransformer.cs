using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Applies one request's rendered templates on top of the route's own transformer (rewrites,
/// added headers, CORS still apply), then the route's response transformation, if any.
/// </summary>
internal sealed class RestTransformer(HttpTransformer route, RenderedRequest rendered, ResponseTransformation? response) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await route.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        if (rendered.Path is { } path)
        {
            var query = path.IndexOf('?');
            var pathOnly = query < 0 ? path : path[..query];
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(
                destinationPrefix,
                PathString.FromUriComponent(pathOnly.StartsWith('/') ? pathOnly : "/" + pathOnly),
                query < 0 || query == path.Length - 1 ? QueryString.Empty : new QueryString(path[query..]));
        }
        if (rendered.Method is { } method)
        {
            proxyRequest.Method = HttpMethod.Parse(method);
        }

        if (rendered.RemoveBody)
        {
            proxyRequest.Content = null;
        }
        else if (rendered.Body is { } body)
        {
            var previous = proxyRequest.Content;
            var content = new ByteArrayContent(body);
            if (previous is not null)
            {
                foreach (var header in previous.Headers)
                {
                    if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }
            }
            else if (httpContext.Request.ContentType is { } contentType)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            proxyRequest.Content = content;
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
        request.Headers.Remove(name);
        request.Content?.Headers.Remove(name);
        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
