using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Aws;

/// <summary>
/// Invokes one Lambda function: reads the body (up to the limit), signs, POSTs to the Invoke
/// API, and turns the answer into the client's response. The URL, the signer (with its day key)
/// and both canonical request templates (sync and async differ in a signed header) are built
/// once, when the plan changes.
/// </summary>
internal sealed class LambdaInvoker : IInvoker, IUpstreamCall
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly LambdaInvokerSpec _spec;
    private readonly HttpMessageInvoker _client;
    private readonly Uri _uri;
    private readonly string _host;
    private readonly SigV4Template _syncTemplate;
    private readonly SigV4Template _asyncTemplate;

    public LambdaInvoker(LambdaInvokerSpec spec, InvokerServices services)
    {
        _spec = spec;
        _client = services.Client;
        var endpoint = spec.Upstream.Endpoint;
        var path = $"/2015-03-31/functions/{Uri.EscapeDataString(spec.FunctionName)}/invocations";
        var query = spec.Qualifier is null ? "" : "Qualifier=" + Uri.EscapeDataString(spec.Qualifier);
        _uri = new Uri(endpoint, query.Length == 0 ? path : $"{path}?{query}");
        _host = endpoint.Authority;
        var signer = new SigV4Signer(spec.Upstream.Credentials, spec.Upstream.Region, "lambda");
        _syncTemplate = signer.Prepare("POST", path, query, Headers("RequestResponse"));
        _asyncTemplate = signer.Prepare("POST", path, query, Headers("Event"));
    }

    private KeyValuePair<string, string>[] Headers(string invocationType) =>
    [
        new("host", _host),
        new("x-amz-invocation-type", invocationType),
        new("x-amz-log-type", "None"),
    ];

    public Task InvokeAsync(RouteContext context) => context.CallUpstreamAsync(this);

    /// <summary>
    /// One invocation. Breakers, retries, the per-try timeout and outlier detection are the
    /// gateway's resilience loop's: each attempt reads the (rewound) body, signs anew and reports
    /// what it came to.
    /// </summary>
    public async ValueTask<AttemptResult> TryAsync(RouteContext context)
    {
        var http = context.HttpContext;
        var options = context.Route.Data.Get<LambdaRouteOptions>() ?? LambdaRouteOptions.Default;
        var limit = _spec.Upstream.MaxRequestBytes;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(context.AttemptTimeout);

        ReadOnlyMemory<byte>? body;
        try
        {
            body = await RequestBody.ReadAsync(http.Request, limit, timeout.Token);
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            if (!http.RequestAborted.IsCancellationRequested)
            {
                SluiceErrorFeature.Set(http, SluiceErrorCode.BadRequestBody, "the request body could not be read", e);
            }
            return AttemptResult.ClientSide;
        }
        if (body is null)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.BodyTooLarge, $"the request body is larger than {limit} bytes, the limit for Lambda function '{_spec.FunctionName}'");
            return AttemptResult.ClientSide;
        }
        var payload = options.RequestAsApiGateway ? ApiGatewayProxyEvent.Build(http, body.Value) : body.Value;

        var template = options.Async ? _asyncTemplate : _syncTemplate;
        var signature = template.Sign(DateTime.UtcNow, SigV4Signer.HashHex(payload.Span));
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Version = HttpVersion.Version11 };
        request.Headers.Host = _host;
        request.Headers.TryAddWithoutValidation("x-amz-invocation-type", options.Async ? "Event" : "RequestResponse");
        request.Headers.TryAddWithoutValidation("x-amz-log-type", "None");
        request.Headers.TryAddWithoutValidation("x-amz-date", signature.AmzDate);
        if (signature.SecurityToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
        }
        request.Headers.TryAddWithoutValidation("authorization", signature.Authorization);
        request.Content = new ReadOnlyMemoryContent(payload);
        request.Content.Headers.ContentType = JsonType;

        HttpResponseMessage response;
        byte[] result;
        try
        {
            response = await _client.SendAsync(request, timeout.Token);
            result = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return AttemptResult.ClientSide;
        }
        catch (OperationCanceledException)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamTimeout, $"Lambda function '{_spec.FunctionName}' did not answer in time");
            return AttemptResult.TimedOut;
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamConnectFailure, $"could not connect to the Lambda endpoint {_spec.Upstream.Endpoint}");
            return AttemptResult.ConnectFailure;
        }
        catch (HttpRequestException)
        {
            SluiceErrorFeature.Set(http, SluiceErrorCode.UpstreamReset, $"the Lambda endpoint {_spec.Upstream.Endpoint} reset the connection or sent an invalid response");
            return AttemptResult.Reset;
        }
        using (response)
        {
            return await AnswerAsync(context, options, response, result);
        }
    }

    private async Task<AttemptResult> AnswerAsync(RouteContext context, LambdaRouteOptions options, HttpResponseMessage response, byte[] result)
    {
        var http = context.HttpContext;
        var status = (int)response.StatusCode;
        if (response.Headers.TryGetValues("x-amz-function-error", out var kind))
        {
            // The function's own failure: answered (and counted as a 5xx), not retried: it ran.
            Fail(http, SluiceErrorCode.LambdaFunctionError, $"Lambda function '{_spec.FunctionName}' failed", $"({string.Join(",", kind)}) {ErrorMessage(result, "errorMessage")}");
            return AttemptResult.Answered;
        }
        if (status is < 200 or > 299)
        {
            // The Invoke API itself refused (signature, missing function, throttling): the gateway's fault or AWS's, never the client's.
            // AWS's own 5xx (ServiceException, a throttled or unavailable service) is retried as any upstream 5xx.
            if (context.HoldsBack(status))
            {
                return AttemptResult.HeldBack;
            }
            Fail(http, SluiceErrorCode.LambdaError, $"Lambda refused to invoke '{_spec.FunctionName}' ({status})", ErrorMessage(result, "message"));
            return AttemptResult.Answered;
        }

        var client = http.Response;
        if (options.Async)
        {
            // The Invoke API queued the event; there is no result to give.
            client.StatusCode = StatusCodes.Status202Accepted;
            context.ApplyResponse();
            return AttemptResult.Answered;
        }
        if (options.UnwrapAsApiGateway)
        {
            var proxyResult = ApiGatewayProxyResult.TryRead(result, out var error);
            if (proxyResult is null)
            {
                Fail(http, SluiceErrorCode.LambdaBadProxyResult, $"Lambda function '{_spec.FunctionName}' did not return an API Gateway proxy result", error!);
                return AttemptResult.Answered;
            }
            if (context.HoldsBack(proxyResult.StatusCode))
            {
                // The function answered a status the route retries, as an HTTP upstream would.
                return AttemptResult.HeldBack;
            }
            proxyResult.Apply(client);
            context.ApplyResponse();
            if (proxyResult.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
            {
                // These statuses have no body by definition; Kestrel refuses to write one.
                return AttemptResult.Answered;
            }
            client.ContentLength = proxyResult.Body.Length;
            await client.Body.WriteAsync(proxyResult.Body, http.RequestAborted);
            return AttemptResult.Answered;
        }
        client.StatusCode = StatusCodes.Status200OK;
        client.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        context.ApplyResponse();
        client.ContentLength = result.Length;
        await client.Body.WriteAsync(result, http.RequestAborted);
        return AttemptResult.Answered;
    }

    /// <summary>A 502 whose remote detail (the function's or AWS's own text) goes to the log only.</summary>
    private static void Fail(HttpContext http, SluiceErrorCode code, string message, string detail) =>
        SluiceErrorFeature.Set(http, code, message + " (details are in the gateway's log)", detail: detail);

    /// <summary>The message field of an AWS JSON error, else the raw text (bounded).</summary>
    private static string ErrorMessage(byte[] body, string field)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (string.Equals(property.Name, field, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        return property.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }
        var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 1024)));
        return text.Length == 0 ? "(no message)" : text;
    }
}
