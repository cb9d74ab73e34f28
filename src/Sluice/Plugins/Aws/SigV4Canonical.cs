using System.Buffers;
using System.Text;

namespace Sluice.Plugins.Aws;

/// <summary>
/// The canonical forms of SigV4 (URI, query, header values), written from AWS's description of
/// the algorithm and checked against its published vectors.
/// </summary>
public static class SigV4Canonical
{
    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~");

    /// <summary>
    /// The canonical URI of a path as sent on the wire: optionally normalised (dot segments and
    /// empty segments removed), then every byte but unreserved characters and '/' percent-encoded.
    /// A path that is already percent-encoded is thus encoded twice, as AWS does for all services
    /// but S3.
    /// </summary>
    public static string Uri(string path, bool normalize)
    {
        if (path.Length == 0)
        {
            return "/";
        }
        if (normalize)
        {
            path = Normalize(path);
        }
        return Encode(path, keepSlash: true);
    }

    /// <summary>Parameters decoded, re-encoded strictly, sorted by name then value, joined with '&amp;'.</summary>
    public static string Query(string query)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }
        if (query.Length == 0)
        {
            return "";
        }
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add((Encode(System.Uri.UnescapeDataString(name), keepSlash: false), Encode(System.Uri.UnescapeDataString(value), keepSlash: false)));
        }
        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }
            builder.Append(name).Append('=').Append(value);
        }
        return builder.ToString();
    }

    /// <summary>Trimmed, with every run of whitespace (folded lines included) made one space.</summary>
    public static string HeaderValue(string value)
    {
        var trimmed = value.AsSpan().Trim();
        var builder = new StringBuilder(trimmed.Length);
        var inSpace = false;
        foreach (var c in trimmed)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                inSpace = true;
                continue;
            }
            if (inSpace)
            {
                builder.Append(' ');
                inSpace = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>Percent-encodes UTF-8 bytes outside the unreserved set (and '/', when kept).</summary>
    public static string Encode(string text, bool keepSlash)
    {
        var span = text.AsSpan();
        var first = keepSlash ? IndexOfEncoded(span) : span.IndexOfAnyExcept(Unreserved);
        if (first < 0)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        builder.Append(span[..first]);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = first; i < span.Length; i++)
        {
            var c = span[i];
            if (Unreserved.Contains(c) || (keepSlash && c == '/'))
            {
                builder.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < span.Length
                ? Encoding.UTF8.GetBytes(span.Slice(i++, 2), bytes)
                : Encoding.UTF8.GetBytes(span.Slice(i, 1), bytes);
            for (var b = 0; b < length; b++)
            {
                builder.Append('%').Append(bytes[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static int IndexOfEncoded(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] != '/' && !Unreserved.Contains(span[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>RFC 3986 dot-segment removal, plus AWS's collapsing of empty segments.</summary>
    private static string Normalize(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                continue;
            }
            segments.Add(segment);
        }
        if (segments.Count == 0)
        {
            return "/";
        }
        var trailingSlash = path.EndsWith('/');
        return "/" + string.Join('/', segments) + (trailingSlash ? "/" : "");
    }
}
