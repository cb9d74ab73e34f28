using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// The proto3 JSON text forms of scalars, shared by JSON values and by URL text (path variables, query
/// parameters): numbers (64-bit ones quoted, exponents allowed when the value is integral), NaN and
/// Infinity, base64 in both alphabets. Parsers return null on success or the reason for failure, so the
/// success path builds no strings. Values travel as the 64 bits of their wire representation.
/// </summary>
internal static class ScalarText
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;
    private const NumberStyles RealStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Parses a number of any numeric field type into the bits its wire value carries.</summary>
    /// <param name="quoted">The text was a JSON string (or URL text): NaN and Infinity are allowed.</param>
    public static string? TryParseNumber(FieldType type, ReadOnlySpan<byte> text, bool quoted, out ulong bits)
    {
        bits = 0;
        if (text.Length == 0)
        {
            return "expected a number, got an empty string";
        }
        if (quoted && !LooksLikeJsonNumber(text, type is FieldType.Double or FieldType.Float))
        {
            return $"'{Show(text)}' is not a number";
        }
        switch (type)
        {
            case FieldType.Double:
            {
                var reason = TryParseDouble(text, out var value);
                bits = (ulong)BitConverter.DoubleToInt64Bits(value);
                return reason;
            }
            case FieldType.Float:
            {
                if (TrySpecial(text, out var special))
                {
                    bits = BitConverter.SingleToUInt32Bits((float)special);
                    return null;
                }
                if (!float.TryParse(text, RealStyle, CultureInfo.InvariantCulture, out var value) || float.IsNaN(value))
                {
                    return $"'{Show(text)}' is not a number";
                }
                if (float.IsInfinity(value))
                {
                    return $"{Show(text)} is out of range for float";
                }
                bits = BitConverter.SingleToUInt32Bits(value);
                return null;
            }
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.Enum:
            {
                var reason = TryParseSigned(text, out var value, type == FieldType.Enum ? "enum" : "int32");
                if (reason is null && value is < int.MinValue or > int.MaxValue)
                {
                    reason = $"{Show(text)} is out of range for {(type == FieldType.Enum ? "enum" : "int32")}";
                }
                bits = (ulong)value;
                return reason;
            }
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
            {
                var reason = TryParseSigned(text, out var value, "int64");
                bits = (ulong)value;
                return reason;
            }
            case FieldType.UInt32 or FieldType.Fixed32:
            {
                var reason = TryParseUnsigned(text, out var value, "uint32");
                if (reason is null && value > uint.MaxValue)
                {
                    reason = $"{Show(text)} is out of range for uint32";
                }
                bits = value;
                return reason;
            }
            case FieldType.UInt64 or FieldType.Fixed64:
                return TryParseUnsigned(text, out bits, "uint64");
            default:
                return $"a {type} field does not take a number";
        }
    }

    public static string? TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (TrySpecial(text, out value))
        {
            return null;
        }
        if (!double.TryParse(text, RealStyle, CultureInfo.InvariantCulture, out value) || double.IsNaN(value))
        {
            return $"'{Show(text)}' is not a number";
        }
        return double.IsInfinity(value) ? $"{Show(text)} is out of range for double" : null;
    }

    public static string? TryParseBool(ReadOnlySpan<byte> text, out bool value)
    {
        value = text.SequenceEqual("true"u8);
        return value || text.SequenceEqual("false"u8) ? null : $"'{Show(text)}' is not true or false";
    }

    /// <summary>Base64, standard or URL-safe alphabet, padded or not, decoded into <paramref name="buffer"/>.</summary>
    public static string? TryWriteBase64(ReadOnlySpan<byte> text, ProtoBuffer buffer, Span<byte> scratch)
    {
        // Normalize to the URL-safe alphabet without padding, which Base64Url decodes.
        var length = text.Length;
        while (length > 0 && text[length - 1] == '=')
        {
            length--;
        }
        if (text.Length - length > 2 || length % 4 == 1)
        {
            return "invalid base64";
        }
        var normalized = scratch[..length];
        for (var i = 0; i < length; i++)
        {
            var c = text[i];
            normalized[i] = c switch
            {
                (byte)'+' => (byte)'-',
                (byte)'/' => (byte)'_',
                (byte)'-' or (byte)'_' => c,
                _ when char.IsAsciiLetterOrDigit((char)c) => c,
                _ => 0,
            };
            if (normalized[i] == 0)
            {
                return "invalid base64";
            }
        }
        var start = buffer.BeginDelimited();
        var destination = buffer.GetSpan(Base64Url.GetMaxDecodedLength(length));
        if (Base64Url.DecodeFromUtf8(normalized, destination, out _, out var written) != OperationStatus.Done)
        {
            return "invalid base64";
        }
        buffer.Advance(written);
        buffer.EndDelimited(start);
        return null;
    }

    public static int ZigZag32(int value) => (value << 1) ^ (value >> 31);

    public static long ZigZag64(long value) => (value << 1) ^ (value >> 63);

    public static string Show(ReadOnlySpan<byte> text) =>
        System.Text.Encoding.UTF8.GetString(text.Length > 64 ? text[..64] : text) + (text.Length > 64 ? "…" : "");

    private static bool TrySpecial(ReadOnlySpan<byte> text, out double value)
    {
        value = text.SequenceEqual("NaN"u8) ? double.NaN
            : text.SequenceEqual("Infinity"u8) ? double.PositiveInfinity
            : text.SequenceEqual("-Infinity"u8) ? double.NegativeInfinity
            : 0;
        return value != 0 || double.IsNaN(value);
    }

    /// <summary>Quoted numbers follow JSON's number grammar: no '+', no leading zeros, no spaces.</summary>
    private static bool LooksLikeJsonNumber(ReadOnlySpan<byte> text, bool real)
    {
        if (real && (text.SequenceEqual("NaN"u8) || text.SequenceEqual("Infinity"u8) || text.SequenceEqual("-Infinity"u8)))
        {
            return true;
        }
        var digits = text[0] == '-' ? text[1..] : text;
        if (digits.Length == 0 || !char.IsAsciiDigit((char)digits[0]))
        {
            return false;
        }
        return !(digits[0] == '0' && digits.Length > 1 && char.IsAsciiDigit((char)digits[1]));
    }

    private static string? TryParseSigned(ReadOnlySpan<byte> text, out long value, string typeName)
    {
        if (long.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }
        if (!double.TryParse(text, RealStyle, CultureInfo.InvariantCulture, out var real) || double.IsNaN(real))
        {
            return $"'{Show(text)}' is not a number";
        }
        if (real != Math.Floor(real) || double.IsInfinity(real))
        {
            return double.IsInfinity(real) ? $"{Show(text)} is out of range for {typeName}" : $"{Show(text)} is not an integer";
        }
        if (real < -9223372036854775808.0 || real >= 9223372036854775808.0)
        {
            return $"{Show(text)} is out of range for {typeName}";
        }
        value = (long)real;
        return null;
    }

    private static string? TryParseUnsigned(ReadOnlySpan<byte> text, out ulong value, string typeName)
    {
        if (ulong.TryParse(text, IntegerStyle, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }
        if (!double.TryParse(text, RealStyle, CultureInfo.InvariantCulture, out var real) || double.IsNaN(real))
        {
            return $"'{Show(text)}' is not a number";
        }
        if (real != Math.Floor(real) || double.IsInfinity(real))
        {
            return double.IsInfinity(real) ? $"{Show(text)} is out of range for {typeName}" : $"{Show(text)} is not an integer";
        }
        if (real < 0 || real >= 18446744073709551616.0)
        {
            return $"{Show(text)} is out of range for {typeName}";
        }
        value = (ulong)real;
        return null;
    }
}
