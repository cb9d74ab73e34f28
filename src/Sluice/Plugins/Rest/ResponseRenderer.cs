using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Renders a route's <c>response_transformation</c> from the upstream's response: its headers
/// (and <c>response_params</c> extractions) and, when a template reads a variable, its JSON body.
/// </summary>
internal static class ResponseRenderer
{
    /// <summary>Returns whether YARP should still copy the upstream's body (false once we wrote our own).</summary>
    public static async ValueTask<bool> ApplyAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, ResponseTransformation transformation, CancellationToken cancellationToken)
    {
        var response = httpContext.Response;
        var extractions = transformation.Parameters?.Extract(response.Headers) ?? [];
        byte[]? upstreamBody = null;
        if (transformation.ReadsVariables)
        {
            var encoding = proxyResponse.Content.Headers.ContentEncoding;
            // Disposed here: a decoder holds native zlib or brotli state until then.
            await using var stream = ResponseDecoding.Open(await proxyResponse.Content.ReadAsStreamAsync(cancellationToken), encoding);
            if (stream is null)
            {
                SluiceErrorFeature.Set(httpContext, SluiceErrorCode.BadResponseBody,
                    $"the upstream's response is encoded '{string.Join(", ", encoding)}', which a response template cannot read ({ResponseDecoding.Supported})");
                return false;
            }
            try
            {
                // A declared length counts encoded bytes: only a plain body can be refused before reading.
                upstreamBody = await BodyBuffer.ReadAsync(stream, encoding.Count == 0 ? proxyResponse.Content.Headers.ContentLength : null, transformation.MaxBodyBytes, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                SluiceErrorFeature.Set(httpContext, SluiceErrorCode.BadResponseBody, $"the upstream's {string.Join(", ", encoding)} body does not decode: {e.Message}");
                return false;
            }
            if (upstreamBody is null)
            {
                SluiceErrorFeature.Set(httpContext, SluiceErrorCode.ResponseTooLarge, $"the upstream's response is larger than {transformation.MaxBodyBytes} bytes (decoded), the most a response template reads");
                return false;
            }
        }

        (string Name, string Value)[] headers;
        byte[]? body;
        using (var input = new TemplateInput(response.Headers, extractions, upstreamBody ?? ReadOnlyMemory<byte>.Empty, "response"))
        {
            try
            {
                headers = transformation.Headers.Select(h => (h.Name, HeaderValues.Checked(h.Name, h.Value.Render(input, transformation.MaxBodyBytes)))).ToArray();
                body = transformation.Body is { } template ? Encoding.UTF8.GetBytes(template.Render(input, transformation.MaxBodyBytes)) : null;
            }
            catch (TemplateRenderException e)
            {
                // §4.3: response-side errors replace the response the way request-side ones do.
                // A render over its caps is the upstream's data asking too much: a 502, as a too-large response is.
                // A body that is not JSON is the upstream's fault too: a 502, never the client's 400.
                var code = e.Code switch
                {
                    TemplateRenderException.LimitCode => SluiceErrorCode.ResponseTemplateTooLarge,
                    TemplateRenderException.BadBodyCode => SluiceErrorCode.BadResponseBody,
                    _ => SluiceErrorCode.TemplateError,
                };
                SluiceErrorFeature.Set(httpContext, code, $"response transformation: {e.Message}");
                return false;
            }
        }

        foreach (var (name, value) in headers)
        {
            if (name == ":status")
            {
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 599)
                {
                    response.StatusCode = status;
                }
                continue;
            }
            response.Headers[name] = value;
        }

        body ??= transformation.RemoveBody ? [] : upstreamBody;
        if (body is null)
        {
            return true;
        }
        response.Headers.Remove("transfer-encoding");
        // What goes out is the rendered (or decoded) body, never the upstream's encoded bytes.
        response.Headers.ContentEncoding = default;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
        return false;
    }
}
