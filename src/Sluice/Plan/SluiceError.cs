using System.Collections.Frozen;

namespace Sluice.Plan;

/// <summary>
/// A failure the gateway answers itself: a code and a short reason for the client. Set on the
/// request with <see cref="SluiceErrorFeature.Set"/>; one responder turns it into the status,
/// <c>x-sluice-error</c>, the body and the log event, and telemetry reads it from the feature.
/// Compares by value: a route's placeholder answer is plan data.
/// </summary>
public sealed record SluiceError(SluiceErrorCode Code, string Message)
{
    /// <summary>The response header that carries <see cref="Name"/>.</summary>
    public const string Header = "x-sluice-error";

    private static readonly FrozenDictionary<SluiceErrorCode, (int Status, string Name)> Codes = new Dictionary<SluiceErrorCode, (int, string)>
    {
        [SluiceErrorCode.NoVirtualService] = (404, "no_virtual_service"),
        [SluiceErrorCode.MisdirectedRequest] = (421, "misdirected_request"),
        [SluiceErrorCode.NoRoute] = (404, "no_route"),
        [SluiceErrorCode.FunctionNotFound] = (404, "function_not_found"),
        [SluiceErrorCode.NoFunction] = (404, "no_function"),
        [SluiceErrorCode.UpstreamUnavailable] = (503, "upstream_unavailable"),
        [SluiceErrorCode.NoHealthyUpstream] = (503, "no_healthy_upstream"),
        [SluiceErrorCode.CircuitBreakerOpen] = (503, "circuit_breaker_open"),
        [SluiceErrorCode.UpstreamConnectFailure] = (503, "upstream_connect_failure"),
        [SluiceErrorCode.UpstreamTlsFailure] = (503, "upstream_tls_failure"),
        [SluiceErrorCode.UpstreamTimeout] = (504, "upstream_timeout"),
        [SluiceErrorCode.UpstreamReset] = (502, "upstream_reset"),
        [SluiceErrorCode.BadRequestBody] = (400, "bad_request_body"),
        [SluiceErrorCode.BodyTooLarge] = (413, "body_too_large"),
        [SluiceErrorCode.ResponseTooLarge] = (502, "response_too_large"),
        [SluiceErrorCode.BadResponseBody] = (502, "bad_response_body"),
        [SluiceErrorCode.TemplateError] = (400, "template_error"),
        [SluiceErrorCode.BadPathValue] = (400, "bad_path_value"),
        [SluiceErrorCode.TemplateTooLarge] = (413, "template_too_large"),
        // One name, two sides: a client branches on the cap, the status says whose data hit it.
        [SluiceErrorCode.ResponseTemplateTooLarge] = (502, "template_too_large"),
        [SluiceErrorCode.CorsOriginNotAllowed] = (403, "cors_origin_not_allowed"),
        [SluiceErrorCode.MalformedCloudEvent] = (400, "malformed_cloudevent"),
        [SluiceErrorCode.CloudEventTooLarge] = (413, "cloudevent_too_large"),
        [SluiceErrorCode.CloudEventsBatchUnsupported] = (400, "cloudevents_batch_unsupported"),
        [SluiceErrorCode.LambdaFunctionError] = (502, "lambda_function_error"),
        [SluiceErrorCode.LambdaError] = (502, "lambda_error"),
        [SluiceErrorCode.LambdaBadProxyResult] = (502, "lambda_bad_proxy_result"),
        [SluiceErrorCode.NatsSubjectMissing] = (404, "nats_subject_missing"),
        [SluiceErrorCode.NatsInvalidSubject] = (500, "nats_invalid_subject"),
        [SluiceErrorCode.NatsUnavailable] = (500, "nats_unavailable"),
        [SluiceErrorCode.NatsTimeout] = (408, "nats_timeout"),
        [SluiceErrorCode.NatsPayloadTooLarge] = (413, "nats_payload_too_large"),
        [SluiceErrorCode.NatsNoStream] = (404, "nats_no_stream"),
        [SluiceErrorCode.NatsPublishFailed] = (500, "nats_publish_failed"),
        [SluiceErrorCode.NatsJetStreamUnavailable] = (503, "nats_jetstream_unavailable"),
        [SluiceErrorCode.GoogleIdTokenFailed] = (502, "google_id_token_failed"),
        [SluiceErrorCode.GrpcBadRequest] = (400, "grpc_bad_request"),
        [SluiceErrorCode.GrpcMethodNotFound] = (404, "grpc_method_not_found"),
        [SluiceErrorCode.GrpcBadResponse] = (502, "grpc_bad_response"),
        [SluiceErrorCode.AdminHostNotAllowed] = (403, "admin_host_not_allowed"),
    }.ToFrozenDictionary();

    /// <summary>The HTTP status the code is answered with.</summary>
    public int StatusCode => Codes[Code].Status;

    /// <summary>The stable name sent in <c>x-sluice-error</c> and written to access logs.</summary>
    public string Name => Codes[Code].Name;

    /// <summary>Every code has a status and a name (checked by a test, so a new code cannot miss one).</summary>
    public static bool IsDefined(SluiceErrorCode code) => Codes.ContainsKey(code);
}
