using System.Buffers;
using System.Text;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// Percent-encoding for values rendered into a URL (RFC 3986), and the check that a rendered
/// path has no dot segment, which the outgoing <see cref="Uri"/> would collapse.
/// </summary>
internal static class UrlEncoding
{
    /// <summary>
    /// RFC 3986 pchar minus ';' (some servers read "..;" as ".."): '/', '?', '#', '%', ';',
    /// spaces, controls and non-ASCII are encoded.
    /// </summary>
    private static readonly SearchValues<char> PathSegmentChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@");

    public static string PathSegment(string value) =>
        value.AsSpan().ContainsAnyExcept(PathSegmentChars) ? Escape(value) : value;

    /// <summary>A query value: also '&amp;', '=', '+' and '#' are encoded.</summary>
    public static string QueryValue(string value) => Uri.EscapeDataString(value);

    /// <summary>The first '.' or '..' segment of the path part (before '?' or '#'), or null.</summary>
    public static string? DotSegment(string url)
    {
        var end = url.AsSpan().IndexOfAny('?', '#');
        var path = end < 0 ? url.AsSpan() : url.AsSpan(0, end);
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            // Uri decodes %2E before it removes dot segments, so the encoded forms count too.
            if (segment.Length is > 0 and <= 6 && segment.ToString().Replace("%2e", ".", StringComparison.OrdinalIgnoreCase) is "." or "..")
            {
                return segment.ToString();
            }
        }
        return null;
    }

    private static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (PathSegmentChars.Contains(c))
            {
                builder.Append(c);
                continue;
            }
            var length = char.IsSurrogatePair(value, i)
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
