using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// Turns the forwarded request into a gRPC call and the upstream's gRPC response into JSON.
/// Up: the route's own changes (Host, forwarding and tracing headers) still apply, then POST to
/// <c>/package.Service/Method</c> with gRPC's headers, the deadline from the route timeout, and
/// only the client headers the upstream's allow-list names. Down: the response is read here and
/// answered as JSON (<see cref="GrpcResponseWriter"/>); the forwarder copies nothing.
/// </summary>
internal sealed class GrpcTransformer(GrpcTranscoderSpec spec, HttpBinding binding, HttpTransformer route, TimeSpan timeout) : HttpTransformer
{
    /// <summary>Headers the gateway itself sets on the way up; the allow-list never removes them.</summary>
    private static readonly HashSet<string> GatewayHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "x-forwarded-for", "x-forwarded-proto", "traceparent", "tracestate", "baggage",
    };

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await route.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        proxyRequest.Method = HttpMethod.Post;
        proxyRequest.RequestUri = new Uri(string.Concat(destinationPrefix.AsSpan().TrimEnd('/'), binding.Method.Path), UriKind.Absolute);

        var headers = proxyRequest.Headers;
        foreach (var (name, _) in httpContext.Request.Headers)
        {
            if (!GatewayHeaders.Contains(name) && !spec.Options.AllowsRequestHeader(name) && !ContentHeaderNames.All.Contains(name))
            {
                headers.Remove(name);
            }
        }
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip, deflate");
        headers.TryAddWithoutValidation("grpc-timeout", GrpcTimeout(timeout));
        if (proxyRequest.Content is { } content)
        {
            foreach (var name in ContentHeaderNames.All)
            {
                content.Headers.Remove(name);
            }
            content.Headers.ContentType = GrpcContentType;
            content.Headers.ContentLength = httpContext.Request.ContentLength;
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return await route.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }
        var context = httpContext.Features.Get<RouteContext>()!;
        try
        {
            await GrpcResponseWriter.WriteAsync(context, spec, binding, proxyResponse, cancellationToken);
        }
        catch (GrpcFrameException e)
        {
            Fail(httpContext, e.TooLarge ? SluiceErrorCode.ResponseTooLarge : SluiceErrorCode.GrpcBadResponse, e.Message, e);
        }
        catch (GrpcResponseException e)
        {
            Fail(httpContext, SluiceErrorCode.GrpcBadResponse, e.Message, e);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: nobody to answer.
        }
        catch (OperationCanceledException e)
        {
            SluiceErrorFeature.Set(httpContext, SluiceErrorCode.UpstreamTimeout, $"upstream '{spec.Upstream}' did not answer {binding.Method.FullName} in time", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            SluiceErrorFeature.Set(httpContext, SluiceErrorCode.UpstreamReset, $"upstream '{spec.Upstream}' reset the call to {binding.Method.FullName}", e);
        }
        return false;
    }

    private void Fail(HttpContext httpContext, SluiceErrorCode code, string why, Exception e) =>
        SluiceErrorFeature.Set(httpContext, code, $"upstream '{spec.Upstream}' answered {binding.Method.FullName} with what the gateway cannot decode: {why}", e);

    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    /// <summary>
    /// gRPC's <c>grpc-timeout</c> (at most 8 digits and a unit) for the route timeout. The server is
    /// given a tenth less (at most a second less), so its DEADLINE_EXCEEDED, with its own message,
    /// reaches the gateway before the gateway's own timeout for the route fires.
    /// </summary>
    private static string GrpcTimeout(TimeSpan timeout)
    {
        var margin = Math.Min(timeout.TotalMilliseconds / 10, 1000);
        var milliseconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds - margin));
        return milliseconds < 100_000_000
            ? milliseconds.ToString(CultureInfo.InvariantCulture) + "m"
            : Math.Min(99_999_999, milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "S";
    }
}

/// <summary>A gRPC response that breaks the protocol in a way framing does not cover (status, message count).</summary>
internal sealed class GrpcResponseException(string message, Exception? inner = null) : Exception(message, inner);
