using System.Buffers.Binary;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>Reads protobuf wire format from a span. Malformed input throws <see cref="CodecFailure"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool IsAtEnd => _position >= _data.Length;

    public readonly int Position => _position;

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new CodecFailure("malformed protobuf: truncated varint");
            }
            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new CodecFailure("malformed protobuf: varint longer than ten bytes");
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4)
        {
            throw new CodecFailure("malformed protobuf: truncated fixed32");
        }
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8)
        {
            throw new CodecFailure("malformed protobuf: truncated fixed64");
        }
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads a length prefix and returns where the payload starts; the reader moves past it.</summary>
    public int ReadDelimited(out int length)
    {
        var value = ReadVarint();
        if (value > (ulong)(_data.Length - _position))
        {
            throw new CodecFailure("malformed protobuf: length-delimited field runs past the end of the message");
        }
        length = (int)value;
        var start = _position;
        _position += length;
        return start;
    }

    /// <summary>Reads a tag; returns false at the end of the data.</summary>
    public bool TryReadTag(out int fieldNumber, out int wireType)
    {
        if (_position >= _data.Length)
        {
            fieldNumber = 0;
            wireType = 0;
            return false;
        }
        var tag = ReadVarint();
        fieldNumber = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (fieldNumber == 0 || tag > uint.MaxValue)
        {
            throw new CodecFailure("malformed protobuf: invalid tag");
        }
        return true;
    }

    /// <summary>Skips one value of the given wire type; returns where the value's bytes start.</summary>
    public int SkipValue(int fieldNumber, int wireType, out int length)
    {
        var start = _position;
        switch (wireType)
        {
            case FieldCodec.WireVarint:
                ReadVarint();
                break;
            case FieldCodec.WireFixed64:
                ReadFixed64();
                break;
            case FieldCodec.WireFixed32:
                ReadFixed32();
                break;
            case FieldCodec.WireLengthDelimited:
                start = ReadDelimited(out length);
                return start;
            case FieldCodec.WireStartGroup:
                SkipGroup(fieldNumber, depth: 0);
                break;
            default:
                throw new CodecFailure($"malformed protobuf: wire type {wireType} for field {fieldNumber}");
        }
        length = _position - start;
        return start;
    }

    private void SkipGroup(int fieldNumber, int depth)
    {
        if (depth > ProtoToJsonWriter.MaxDepth)
        {
            throw new CodecFailure("malformed protobuf: groups nested too deeply");
        }
        while (TryReadTag(out var number, out var wireType))
        {
            if (wireType == FieldCodec.WireEndGroup)
            {
                if (number != fieldNumber)
                {
                    throw new CodecFailure("malformed protobuf: mismatched end group");
                }
                return;
            }
            if (wireType == FieldCodec.WireStartGroup)
            {
                SkipGroup(number, depth + 1);
            }
            else
            {
                SkipValue(number, wireType, out _);
            }
        }
        throw new CodecFailure("malformed protobuf: unterminated group");
    }

    /// <summary>Decodes a varint that occupies exactly <paramref name="bytes"/>.</summary>
    public static ulong VarintAt(ReadOnlySpan<byte> bytes)
    {
        ulong result = 0;
        var shift = 0;
        foreach (var b in bytes)
        {
            result |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }
        return result;
    }
}
