using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// A growable protobuf writer over pooled memory. JSON gives no sizes up front, so a nested message's
/// length is written after its content: <see cref="BeginDelimited"/> reserves one byte (enough below 128
/// bytes, the common case) and <see cref="EndDelimited"/> moves the content when the length needs more.
/// This keeps the encoding minimal, byte for byte what Google.Protobuf writes.
/// </summary>
internal sealed class ProtoBuffer
{
    private const int RetainedCapacity = 64 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1024);
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Reset()
    {
        _length = 0;
        if (_buffer.Length > RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(1024);
        }
    }

    /// <summary>Forgets everything written after <paramref name="length"/>.</summary>
    public void Truncate(int length) => _length = length;

    public Span<byte> GetSpan(int sizeHint)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        var buffer = _buffer;
        var position = _length;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        _length = position;
    }

    public void WriteTag(uint tag) => WriteVarint(tag);

    public void WriteFixed32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteDelimited(ReadOnlySpan<byte> bytes)
    {
        WriteVarint((uint)bytes.Length);
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Reserves the length of a delimited value; returns where its content starts.</summary>
    public int BeginDelimited()
    {
        Ensure(1);
        _length++;
        return _length;
    }

    public void EndDelimited(int contentStart)
    {
        var length = _length - contentStart;
        if (length < 0x80)
        {
            _buffer[contentStart - 1] = (byte)length;
            return;
        }
        var extra = VarintSize((uint)length) - 1;
        Ensure(extra);
        // Overlapping copy: Span.CopyTo has memmove semantics.
        _buffer.AsSpan(contentStart, length).CopyTo(_buffer.AsSpan(contentStart + extra));
        var position = contentStart - 1;
        var value = (uint)length;
        while (value >= 0x80)
        {
            _buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[position] = (byte)value;
        _length += extra;
    }

    public void CopyTo(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(_length);
        Written.CopyTo(span);
        output.Advance(_length);
    }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
