using System.IO.Compression;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Undoes an upstream's <c>content-encoding</c> so a response template reads the JSON, not the
/// compressed bytes: upstreams compress whenever the client accepts it, which browsers always do.
/// The decoded body is read under the same cap as a plain one, so a gzip bomb ends at the cap.
/// </summary>
internal static class ResponseDecoding
{
    public const string Supported = "gzip, deflate, br";

    /// <summary>The decoded body, or null for an encoding (or a chain of them) the gateway does not decode.</summary>
    public static Stream? Open(Stream body, ICollection<string> contentEncoding) => contentEncoding.Count switch
    {
        0 => body,
        1 => contentEncoding.First().Trim().ToLowerInvariant() switch
        {
            "identity" => body,
            "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress),
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            _ => null,
        },
        _ => null,
    };
}
