using Sluice.Api;

namespace Sluice.Plugins.Grpc;

/// <summary>An upstream's transcoding settings from <c>service_info.properties</c>; compares by value.</summary>
internal sealed record GrpcOptions
{
    /// <summary>gRPC's own default message limit, which most servers keep.</summary>
    public const long DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Request headers sent as metadata: exact lower-case names, or prefixes written <c>x-*</c>.</summary>
    public ValueList<string> RequestHeaders { get; init; } = ValueList<string>.Empty;

    /// <summary>Response metadata (headers, and trailers where they can still be sent) answered as HTTP headers; same forms.</summary>
    public ValueList<string> ResponseHeaders { get; init; } = ValueList<string>.Empty;

    /// <summary>Largest request body read (JSON); larger answers 413.</summary>
    public long MaxRequestBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>Largest response message accepted from the upstream; larger answers 502.</summary>
    public long MaxResponseBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>Unknown JSON fields are skipped instead of answered with 400.</summary>
    public bool IgnoreUnknownFields { get; init; }

    /// <summary>Fields holding their default value are written to responses too.</summary>
    public bool EmitDefaultValues { get; init; }

    /// <summary>Whether the client's header <paramref name="name"/> may travel as metadata.</summary>
    public bool AllowsRequestHeader(string name) => Lists(RequestHeaders, name);

    /// <summary>Whether the upstream's metadata <paramref name="name"/> is answered to the client.</summary>
    public bool AllowsResponseHeader(string name) => Lists(ResponseHeaders, name);

    private static bool Lists(ValueList<string> names, string name)
    {
        foreach (var allowed in names)
        {
            if (allowed.EndsWith('*')
                ? name.StartsWith(allowed.AsSpan(0, allowed.Length - 1), StringComparison.OrdinalIgnoreCase)
                : string.Equals(name, allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
