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
            var stream = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
            upstreamBody = await BodyBuffer.ReadAsync(stream, proxyResponse.Content.Headers.ContentLength, transformation.MaxBodyBytes, cancellationToken);
            if (upstreamBody is null)
            {
                SluiceErrorFeature.Set(httpContext, SluiceErrorCode.ResponseTooLarge, $"the upstream's response is larger than {transformation.MaxBodyBytes} bytes, the most a response template reads");
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
                var code = e.Code == TemplateRenderException.LimitCode ? SluiceErrorCode.ResponseTemplateTooLarge : SluiceErrorCode.TemplateError;
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
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
        return false;
    }
}
