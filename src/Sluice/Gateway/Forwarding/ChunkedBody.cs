using System.Buffers;
using System.Text;

namespace Sluice.Gateway.Forwarding;

/// <summary>The lines of a chunked response body (RFC 9112 §7.1): chunk sizes, the line end after each chunk, trailers.</summary>
internal static class ChunkedBody
{
    /// <summary>Longest framing line accepted (a chunk size with extensions, one trailer).</summary>
    public const int MaxLineBytes = 16 * 1024;

    public delegate T LineParser<out T>(ReadOnlySpan<byte> line);

    /// <summary>The first line in <paramref name="buffer"/>, without its line end, and where the next begins.</summary>
    public static bool TryReadLine(in ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, (byte)'\n'))
        {
            if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }
            next = reader.Position;
            return true;
        }
        next = default;
        return false;
    }

    /// <summary>A chunk's size: hex digits, then optional extensions after ';' (ignored).</summary>
    public static long ParseSize(ReadOnlySpan<byte> line)
    {
        var end = line.IndexOfAny((byte)';', (byte)' ', (byte)'\t');
        var digits = end < 0 ? line : line[..end];
        if (digits.IsEmpty || digits.Length > 15)
        {
            throw Malformed();
        }
        long size = 0;
        foreach (var digit in digits)
        {
            var value = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => throw Malformed(),
            };
            size = (size << 4) | (uint)value;
        }
        return size;
    }

    /// <summary>The line end after a chunk's data.</summary>
    public static bool ExpectEmpty(ReadOnlySpan<byte> line) => line.IsEmpty ? true : throw Malformed();

    /// <summary>One trailer line as text; null for the blank line that ends the body.</summary>
    public static string? TrailerLine(ReadOnlySpan<byte> line) => line.IsEmpty ? null : Encoding.Latin1.GetString(line);

    private static ForwardingException Malformed() => new(ForwardingFailure.MidBody, "the upstream's chunked body is malformed");

    /// <summary>Hands a line to <paramref name="parse"/> as one span.</summary>
    public static T Parse<T>(in ReadOnlySequence<byte> line, LineParser<T> parse) =>
        Contiguous.Parse(line, parse, static (bytes, parser) => parser(bytes));
}
