using System.Buffers;

namespace Sluice.Plugins.Rest;

/// <summary>Reads a whole body into memory, refusing one over the limit before and while reading.</summary>
internal static class BodyBuffer
{
    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    public static async ValueTask<byte[]?> ReadAsync(Stream body, long? declaredLength, long limit, CancellationToken cancellationToken)
    {
        if (declaredLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream(declaredLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
