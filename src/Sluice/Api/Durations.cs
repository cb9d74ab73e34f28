using System.Globalization;

namespace Sluice.Api;

/// <summary>
/// Durations as Gloo wrote them: Go/proto strings (<c>"5s"</c>, <c>"250ms"</c>, <c>"1m30s"</c>,
/// <c>"1.5s"</c>) and bare integers, which are nanoseconds (Go's <c>time.Duration</c> in JSON).
/// </summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            value = FromNanoseconds(nanos);
            return true;
        }

        var span = text.AsSpan();
        decimal totalNanos = 0;
        while (span.Length > 0)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }
            if (numberLength == 0 || !decimal.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }
            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.')
            {
                unitLength++;
            }
            decimal? unitNanos = span[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "µs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (unitNanos is null)
            {
                return false;
            }
            totalNanos += number * unitNanos.Value;
            span = span[unitLength..];
        }
        if (totalNanos > long.MaxValue)
        {
            return false;
        }
        value = FromNanoseconds((long)totalNanos);
        return true;
    }

    public static TimeSpan FromNanoseconds(long nanos) => TimeSpan.FromTicks(nanos / 100);

    /// <summary>The shortest Go-style text for a duration: "5s", "250ms", "1m30s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return value.Ticks % TimeSpan.TicksPerMillisecond == 0
                ? $"{value.Ticks / TimeSpan.TicksPerMillisecond}ms"
                : $"{value.Ticks * 100}ns";
        }
        var text = new System.Text.StringBuilder();
        var seconds = value.Ticks / TimeSpan.TicksPerSecond;
        if (seconds >= 3600)
        {
            text.Append(seconds / 3600).Append('h');
            seconds %= 3600;
        }
        if (seconds >= 60)
        {
            text.Append(seconds / 60).Append('m');
            seconds %= 60;
        }
        if (seconds > 0)
        {
            text.Append(seconds).Append('s');
        }
        return text.ToString();
    }
}
