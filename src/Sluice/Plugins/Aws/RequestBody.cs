using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Sluice.Plugins.Aws;

/// <summary>
/// Reads a whole request body, for invokers that must (signing needs the payload hash), never
/// past a limit: a declared length over it is refused before reading a byte.
/// </summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }
        if (declared == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var buffer = new ArrayBufferWriter<byte>(declared is { } length ? (int)length : 4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }
}
