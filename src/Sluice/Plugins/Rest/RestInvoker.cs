using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Serves a REST function: extracts the route's parameters, reads the body only when a template
/// needs a variable no extraction supplied, renders path, method, headers and body, and forwards
/// through the gateway with a <see cref="RestTransformer"/>.
/// </summary>
internal sealed class RestInvoker(RestFunctionSpec spec) : IInvoker
{
    public Task InvokeAsync(RouteContext context)
    {
        var route = context.Route.Data.Get<RestRouteData>();
        // A function whose spec is empty changes nothing: it forwards as a plain route would.
        return spec.ChangesNothing && route?.Response is null
            ? context.ForwardAsync(context.RouteTransformer)
            : RenderAndForwardAsync(context, route);
    }

    private async Task RenderAndForwardAsync(RouteContext context, RestRouteData? route)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var extractions = route?.Parameters?.Extract(request) ?? [];

        byte[]? body = null;
        if (NeedsBody(extractions) && HasBody(request))
        {
            body = await BodyBuffer.ReadAsync(request.Body, request.ContentLength, spec.MaxBodyBytes, http.RequestAborted);
            if (body is null)
            {
                SluiceErrorFeature.Set(http, SluiceErrorCode.BodyTooLarge, $"the request body is larger than {spec.MaxBodyBytes} bytes, the most function '{context.FunctionName}' reads");
                return;
            }
        }

        RenderedRequest rendered;
        using (var input = new TemplateInput(request.Headers, extractions, body ?? ReadOnlyMemory<byte>.Empty))
        {
            try
            {
                rendered = Render(input, body);
            }
            catch (TemplateRenderException e)
            {
                SluiceErrorFeature.Set(http, e.Code, $"function '{context.FunctionName}': {e.Message}");
                return;
            }
        }
        SetBody(request, rendered);
        await context.ForwardAsync(new RestTransformer(context.RouteTransformer, rendered, route?.Response));
    }

    private RenderedRequest Render(TemplateInput input, byte[]? clientBody)
    {
        var headers = new (string, string)[spec.Headers.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            var header = spec.Headers[i];
            headers[i] = (header.Name, HeaderValues.Checked(header.Name, header.Value.Render(input, spec.MaxBodyBytes)));
        }
        var method = spec.Method?.Render(input, spec.MaxBodyBytes);
        if (method is not null && !TemplateSpecReader.IsHeaderName(method))
        {
            throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"the method rendered as '{method}', which is not an HTTP method");
        }
        return new RenderedRequest
        {
            Path = spec.Path?.Render(input, spec.MaxBodyBytes),
            Method = method,
            Headers = headers,
            // A body that was read to find variables is gone from the client's stream: send the copy.
            Body = spec.Body is not null ? System.Text.Encoding.UTF8.GetBytes(spec.Body.Render(input, spec.MaxBodyBytes)) : spec.RemoveBody ? null : clientBody,
            RemoveBody = spec.RemoveBody,
        };
    }

    /// <summary>
    /// YARP builds the outgoing content from the request's body stream (a transformer may not swap
    /// it), so a rendered, removed or already-read body replaces that stream. It stays seekable,
    /// so a retry can send it again.
    /// </summary>
    private static void SetBody(HttpRequest request, RenderedRequest rendered)
    {
        if (rendered.Body is null && !rendered.RemoveBody)
        {
            return;
        }
        var body = rendered.Body ?? [];
        request.Headers.Remove("transfer-encoding");
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
    }

    /// <summary>The body is read only for a variable that no matched extraction supplies.</summary>
    private bool NeedsBody((string Name, string Value, bool Matched)[] extractions)
    {
        foreach (var variable in spec.Variables)
        {
            var supplied = false;
            foreach (var extraction in extractions)
            {
                if (extraction.Matched && extraction.Name == variable)
                {
                    supplied = true;
                    break;
                }
            }
            if (!supplied)
            {
                return true;
            }
        }
        return false;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.ContainsKey("transfer-encoding"));
}
