namespace Sluice.Plan;

/// <summary>
/// Every answer the gateway makes itself, as a value. Each code has one status and one stable
/// <c>x-sluice-error</c> name (<see cref="SluiceError"/>); clients branch on the name, so a name
/// never changes once released.
/// </summary>
public enum SluiceErrorCode
{
    NoVirtualService,

    /// <summary>The TLS session (SNI, client certificate) was made for another host than the request's Host.</summary>
    MisdirectedRequest,
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
    /// <summary>A response template needs the upstream's body as JSON and it is not (or does not decode).</summary>
    BadResponseBody,
    TemplateError,

    /// <summary>A rendered path with a '.' or '..' segment made of the request's values.</summary>
    BadPathValue,

    /// <summary>A request template rendered past its size or loop cap: the request asked for too much.</summary>
    TemplateTooLarge,

    /// <summary>The same cap hit by a response template: the upstream's data asked for too much.</summary>
    ResponseTemplateTooLarge,
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

    /// <summary>A JetStream upstream whose server runs without JetStream: no PubAck can ever come.</summary>
    NatsJetStreamUnavailable,

    /// <summary>A private Google Cloud Function's ID token could not be minted (the token endpoint refused or could not be reached).</summary>
    GoogleIdTokenFailed,

    /// <summary>The request does not fit the gRPC method's input message (JSON, a path or query value).</summary>
    GrpcBadRequest,

    /// <summary>No gRPC method is bound to the request's function name, or to its verb and path.</summary>
    GrpcMethodNotFound,

    /// <summary>The upstream's answer is not a gRPC response the gateway can decode.</summary>
    GrpcBadResponse,

    /// <summary>The admin API refuses a Host that DNS could re-point (DNS rebinding).</summary>
    AdminHostNotAllowed,
}
