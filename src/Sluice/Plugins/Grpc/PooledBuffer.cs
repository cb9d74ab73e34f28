using System.Buffers;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}"/>: what messages are encoded into and
/// sent from, so a request rents its memory instead of allocating it. Disposing returns it.
/// </summary>
internal sealed class PooledBuffer(int initialSize = 4096) : IBufferWriter<byte>, IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(initialSize);

    public int Length { get; private set; }

    public byte[] Array => _array;

    public ReadOnlySpan<byte> Written => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(Length);
    }

    /// <summary>Writable bytes already written, e.g. to fill in a length prefix once the length is known.</summary>
    public Span<byte> Slice(int start, int length) => _array.AsSpan(start, length);

    public void Clear() => Length = 0;

    public void Dispose()
    {
        var array = _array;
        _array = [];
        Length = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }
}
