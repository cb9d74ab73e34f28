using System.Globalization;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// The string forms of Timestamp (RFC 3339), Duration ("1.5s") and FieldMask ("a.bC,d"), read and
/// written as Google.Protobuf's JsonParser and JsonFormatter do: 0, 3, 6 or 9 fractional digits on
/// output, any offset on Timestamp input, paths converted between snake_case and lowerCamelCase.
/// </summary>
internal static class WellKnownText
{
    public const long MinTimestampSeconds = -62135596800; // 0001-01-01T00:00:00Z
    public const long MaxTimestampSeconds = 253402300799; // 9999-12-31T23:59:59Z
    public const long MaxDurationSeconds = 315576000000;

    public static string? TryParseTimestamp(ReadOnlySpan<byte> text, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        const string Expected = "expected an RFC 3339 timestamp such as 1972-01-01T10:00:20.021Z";
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
        {
            return Expected;
        }
        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return Expected;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return Expected;
        }
        var rest = text[19..];
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit((char)rest[digits]))
            {
                digits++;
            }
            if (digits == 1 || digits > 10 || !TryFraction(rest[1..digits], out nanos))
            {
                return Expected;
            }
            rest = rest[digits..];
        }
        long offsetSeconds = 0;
        if (rest.Length == 1 && rest[0] == 'Z')
        {
        }
        else if (rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && rest[3] == ':'
            && TryDigits(rest.Slice(1, 2), out var offsetHours) && TryDigits(rest.Slice(4, 2), out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59)
        {
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (rest[0] == '-' ? -1 : 1);
        }
        else
        {
            return Expected;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        seconds = (local.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond - offsetSeconds;
        return seconds is < MinTimestampSeconds or > MaxTimestampSeconds
            ? "timestamp out of range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)"
            : null;
    }

    public static string? TryFormatTimestamp(long seconds, int nanos, Span<byte> destination, out int written)
    {
        written = 0;
        if (seconds is < MinTimestampSeconds or > MaxTimestampSeconds || nanos is < 0 or > 999_999_999)
        {
            return "timestamp out of range or not normalized";
        }
        var time = DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond);
        time.TryFormat(destination, out written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        written += WriteNanos(nanos, destination[written..]);
        destination[written++] = (byte)'Z';
        return null;
    }

    public static string? TryParseDuration(ReadOnlySpan<byte> text, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        const string Expected = "expected a duration such as 1.5s";
        if (text.Length < 2 || text[^1] != 's')
        {
            return Expected;
        }
        var body = text[..^1];
        var negative = body[0] == '-';
        if (negative)
        {
            body = body[1..];
        }
        var dot = body.IndexOf((byte)'.');
        var whole = dot < 0 ? body : body[..dot];
        if (whole.Length == 0 || whole.Length > 12 || !TryDigitsLong(whole, out seconds))
        {
            return Expected;
        }
        if (dot >= 0 && (body.Length - dot - 1 is 0 or > 9 || !TryFraction(body[(dot + 1)..], out nanos)))
        {
            return Expected;
        }
        if (seconds > MaxDurationSeconds)
        {
            return "duration out of range (±315576000000s)";
        }
        if (negative)
        {
            seconds = -seconds;
            nanos = -nanos;
        }
        return null;
    }

    public static string? TryFormatDuration(long seconds, int nanos, Span<byte> destination, out int written)
    {
        written = 0;
        if (seconds is < -MaxDurationSeconds or > MaxDurationSeconds || nanos is <= -1_000_000_000 or >= 1_000_000_000
            || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0))
        {
            return "duration out of range or not normalized";
        }
        if (seconds < 0 || nanos < 0)
        {
            destination[written++] = (byte)'-';
        }
        Math.Abs(seconds).TryFormat(destination[written..], out var digits, default, CultureInfo.InvariantCulture);
        written += digits;
        written += WriteNanos(Math.Abs(nanos), destination[written..]);
        destination[written++] = (byte)'s';
        return null;
    }

    /// <summary>
    /// snake_case → lowerCamelCase for FieldMask output; false (like JsonFormatter) for a path that would
    /// not convert back: upper-case letters, or '_' followed by anything but a lower-case letter.
    /// </summary>
    public static bool TryPathToJson(ReadOnlySpan<byte> path, Span<byte> destination, out int written)
    {
        written = 0;
        var upperNext = false;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c is >= (byte)'A' and <= (byte)'Z')
            {
                return false;
            }
            if (c == '_')
            {
                if (i < path.Length - 1 && path[i + 1] is < (byte)'a' or > (byte)'z')
                {
                    return false;
                }
                upperNext = true;
                continue;
            }
            destination[written++] = upperNext ? (byte)char.ToUpperInvariant((char)c) : c;
            upperNext = false;
        }
        return true;
    }

    /// <summary>lowerCamelCase → snake_case for FieldMask input.</summary>
    public static int PathFromJson(ReadOnlySpan<byte> path, Span<byte> destination)
    {
        var written = 0;
        foreach (var c in path)
        {
            if (c is >= (byte)'A' and <= (byte)'Z')
            {
                destination[written++] = (byte)'_';
                destination[written++] = (byte)(c + 32);
            }
            else
            {
                destination[written++] = c;
            }
        }
        return written;
    }

    private static int WriteNanos(int nanos, Span<byte> destination)
    {
        if (nanos == 0)
        {
            return 0;
        }
        destination[0] = (byte)'.';
        // Three, six or nine digits: as few as show the value exactly.
        var (value, digits) = nanos % 1_000_000 == 0 ? (nanos / 1_000_000, 3) : nanos % 1_000 == 0 ? (nanos / 1_000, 6) : (nanos, 9);
        value.TryFormat(destination[1..], out _, digits == 3 ? "D3" : digits == 6 ? "D6" : "D9", CultureInfo.InvariantCulture);
        return digits + 1;
    }

    private static bool TryFraction(ReadOnlySpan<byte> digits, out int nanos)
    {
        nanos = 0;
        if (digits.Length is 0 or > 9 || !TryDigits(digits, out var value))
        {
            return false;
        }
        for (var i = digits.Length; i < 9; i++)
        {
            value *= 10;
        }
        nanos = value;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return text.Length > 0;
    }

    private static bool TryDigitsLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return text.Length > 0;
    }
}
