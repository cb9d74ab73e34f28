using System.Buffers.Binary;
using System.IO.Compression;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// gRPC's length-prefixed messages (one flag byte, a big-endian 32-bit length, the message):
/// written around an encoded request message, and read one by one from a response stream,
/// decompressing those flagged as compressed with the response's <c>grpc-encoding</c>.
/// </summary>
internal static class GrpcFrames
{
    public const int PrefixLength = 5;

    /// <summary>Reserves a prefix; <see cref="EndMessage"/> fills it in once the message is written.</summary>
    public static int BeginMessage(PooledBuffer buffer)
    {
        var start = buffer.Length;
        buffer.GetSpan(PrefixLength);
        buffer.Advance(PrefixLength);
        return start;
    }

    public static void EndMessage(PooledBuffer buffer, int start)
    {
        var prefix = buffer.Slice(start, PrefixLength);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)(buffer.Length - start - PrefixLength));
    }

    /// <summary>
    /// Reads the next message into <paramref name="message"/> (cleared first); false at the end
    /// of the stream. <see cref="GrpcFrameException"/> for a truncated, oversized or
    /// undecodable message.
    /// </summary>
    public static async ValueTask<bool> ReadMessageAsync(Stream stream, PooledBuffer message, string? encoding, long maxBytes, CancellationToken cancellationToken)
    {
        message.Clear();
        // The prefix is read into the message's own buffer, then overwritten by the message.
        var prefix = message.GetMemory(PrefixLength)[..PrefixLength];
        var read = await stream.ReadAtLeastAsync(prefix, PrefixLength, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return false;
        }
        if (read < PrefixLength)
        {
            throw new GrpcFrameException("the response ended inside a message prefix");
        }
        var flags = prefix.Span[0];
        var compressed = flags == 1;
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix.Span[1..]);
        if (flags > 1)
        {
            throw new GrpcFrameException($"a message has flags {flags}, which gRPC does not define");
        }
        if (length > maxBytes)
        {
            throw new GrpcFrameException($"a message of {length} bytes is larger than the {maxBytes} the gateway accepts", tooLarge: true);
        }
        if (!compressed)
        {
            var target = message.GetMemory((int)length)[..(int)length];
            await stream.ReadExactlyAsync(target, cancellationToken);
            message.Advance((int)length);
            return true;
        }

        using var packed = new PooledBuffer((int)Math.Max(length, 1));
        await stream.ReadExactlyAsync(packed.GetMemory((int)length)[..(int)length], cancellationToken);
        packed.Advance((int)length);
        Decompress(packed, message, encoding, maxBytes);
        return true;
    }

    private static void Decompress(PooledBuffer packed, PooledBuffer message, string? encoding, long maxBytes)
    {
        using var input = new MemoryStream(packed.Array, 0, packed.Length, writable: false);
        using Stream inflater = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => throw new GrpcFrameException($"a message is compressed with '{encoding ?? "(no grpc-encoding)"}', which the gateway does not decode (gzip, deflate)"),
        };
        try
        {
            int read;
            while ((read = inflater.Read(message.GetSpan(16 * 1024))) > 0)
            {
                message.Advance(read);
                if (message.Length > maxBytes)
                {
                    throw new GrpcFrameException($"a message decompresses to more than the {maxBytes} bytes the gateway accepts", tooLarge: true);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new GrpcFrameException($"a {encoding} message does not decompress: {e.Message}");
        }
    }
}

/// <summary>A response stream that is not valid gRPC framing.</summary>
internal sealed class GrpcFrameException(string message, bool tooLarge = false) : Exception(message)
{
    public bool TooLarge { get; } = tooLarge;
}
