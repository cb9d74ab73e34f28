using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sluice.Gateway;

/// <summary>
/// What the traffic listeners allow a client, written out so they are Sluice's documented
/// defaults (docs/limits.md) rather than whatever the Kestrel version ships. Kestrel answers a
/// request over a header limit itself (413, 414, 431) and closes slow connections (408 or a
/// close), before any route runs, so a hostile client costs at most these sizes and times.
/// </summary>
internal static class ClientLimits
{
    public const int MaxRequestLineBytes = 8 * 1024;

    public const int MaxRequestHeadersTotalBytes = 32 * 1024;

    public const int MaxRequestHeaderCount = 100;

    /// <summary>
    /// A body slower than this (after a grace period) is cut: a client that stops mid-body does
    /// not hold a connection, and an upstream request, open for the whole route timeout.
    /// </summary>
    public static readonly MinDataRate MinRequestBodyDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    public static void Apply(KestrelServerLimits limits, GatewayOptions options)
    {
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        // Slowloris: the whole head must arrive within this time however it is trickled.
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyDataRate;
        // Bodies stream through; limits that matter are per route (buffering, templates).
        limits.MaxRequestBodySize = null;
        // HTTP/2 streams share the header limits above. Kestrel's rapid-reset defence (GOAWAY
        // ENHANCE_YOUR_CALM when resets outrun the streams it can finish) is on since .NET 8.
        limits.Http2.MaxStreamsPerConnection = 100;
    }
}
