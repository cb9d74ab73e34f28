using System.Buffers;

namespace Sluice.Gateway.Forwarding;

/// <summary>A short run of received bytes (a response head, a framing line) as one span for a parser.</summary>
internal static class Contiguous
{
    /// <summary>As is when the bytes sit in one segment (the usual case), else copied to the stack, or to one rented array when long.</summary>
    public static T Parse<TState, T>(in ReadOnlySequence<byte> bytes, TState state, Func<ReadOnlySpan<byte>, TState, T> parse)
    {
        if (bytes.IsSingleSegment)
        {
            return parse(bytes.FirstSpan, state);
        }
        var length = (int)bytes.Length;
        byte[]? rented = null;
        var span = length <= 4096 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            bytes.CopyTo(span);
            return parse(span, state);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
