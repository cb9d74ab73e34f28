namespace Sluice.Plugins.Grpc;

/// <summary>
/// gRPC status codes and the HTTP status each is answered with: the mapping in
/// google/rpc/code.proto, as grpc-gateway and Envoy's transcoder apply it. Also the other
/// direction, for an upstream that answered HTTP without gRPC (gRPC's http-grpc-status-mapping.md).
/// </summary>
internal static class GrpcStatusCodes
{
    public const int Ok = 0;
    public const int Unknown = 2;
    public const int DeadlineExceeded = 4;
    public const int Internal = 13;
    public const int Unavailable = 14;

    private static readonly int[] HttpStatuses =
    [
        200, // OK
        499, // CANCELLED
        500, // UNKNOWN
        400, // INVALID_ARGUMENT
        504, // DEADLINE_EXCEEDED
        404, // NOT_FOUND
        409, // ALREADY_EXISTS
        403, // PERMISSION_DENIED
        429, // RESOURCE_EXHAUSTED
        400, // FAILED_PRECONDITION
        409, // ABORTED
        400, // OUT_OF_RANGE
        501, // UNIMPLEMENTED
        500, // INTERNAL
        503, // UNAVAILABLE
        500, // DATA_LOSS
        401, // UNAUTHENTICATED
    ];

    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>The HTTP status for a gRPC code; codes outside the table are UNKNOWN's 500.</summary>
    public static int ToHttpStatus(int code) => code >= 0 && code < HttpStatuses.Length ? HttpStatuses[code] : 500;

    public static string Name(int code) => code >= 0 && code < Names.Length ? Names[code] : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The gRPC code an HTTP status stands for when a response carries no grpc-status.</summary>
    public static int FromHttpStatus(int status) => status switch
    {
        400 => Internal,
        401 => 16,
        403 => 7,
        404 => 12,
        429 or 502 or 503 or 504 => Unavailable,
        _ => Unknown,
    };
}
