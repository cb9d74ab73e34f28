namespace Sluice.Plan;

/// <summary>
/// Every answer the gateway makes itself, as a value. Each code has one status and one stable
/// <c>x-sluice-error</c> name (<see cref="SluiceError"/>); clients branch on the name, so a name
/// never changes once released.
/// </summary>
public enum SluiceErrorCode
{
    NoVirtualService,
    NoRoute,
    FunctionNotFound,
    NoFunction,
    UpstreamUnavailable,
    NoHealthyUpstream,
    CircuitBreakerOpen,
    UpstreamConnectFailure,
    UpstreamTlsFailure,
    UpstreamTimeout,
    UpstreamReset,
    BadRequestBody,
    BodyTooLarge,
    ResponseTooLarge,
    TemplateError,
    CorsOriginNotAllowed,
    MalformedCloudEvent,
    CloudEventTooLarge,
    CloudEventsBatchUnsupported,
    LambdaFunctionError,
    LambdaError,
    LambdaBadProxyResult,
    NatsSubjectMissing,
    NatsInvalidSubject,
    NatsUnavailable,
    NatsTimeout,
    NatsPayloadTooLarge,
    NatsNoStream,
    NatsPublishFailed,
}
