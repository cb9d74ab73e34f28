using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Sluice.Gateway.Forwarding;

/// <summary>How a response's body is delimited on the upstream connection.</summary>
internal enum BodyFraming : byte
{
    None,
    ContentLength,
    Chunked,
    UntilClose,
}

/// <summary>
/// Parses an upstream's HTTP/1.x response head from the connection's bytes and sets it on
/// Kestrel's response: status, a reason phrase only when it is not the standard one, headers less
/// the hop-by-hop ones. Header names the field knows are not allocated (a frozen table looked up
/// by span), nor are values an upstream repeats (the last value seen per known header is reused
/// while the bytes are equal: Content-Type, Server, and Date within its second).
/// </summary>
internal static class ResponseHead
{
    /// <summary>As HttpClient's <c>MaxResponseHeadersLength</c> default (64 KiB), which the YARP path's cluster clients keep.</summary>
    public const int MaxHeadBytes = 64 * 1024;

    /// <summary>A header name the field knows: its interned string, whether it is hop-by-hop, and the last value an upstream sent for it.</summary>
    private sealed class KnownHeader(string name, bool hopByHop)
    {
        public string Name { get; } = name;

        public bool HopByHop { get; } = hopByHop;

        // Read and written without a lock: a reference swap, and either string is right for its bytes.
        public string? LastValue;
    }

    /// <summary>Hop-by-hop response headers (RFC 9110 §7.6.1) and the framing Kestrel sets itself for its own connection.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.TE,
        HeaderNames.Trailer, HeaderNames.ProxyAuthenticate, "Proxy-Connection", "Proxy-Authentication-Info", "Proxy-Features",
        "Proxy-Instruction", "Close", "HTTP2-Settings", "ALPN", "Security-Scheme",
    };

    private static readonly FrozenDictionary<string, KnownHeader>.AlternateLookup<ReadOnlySpan<char>> Known = typeof(HeaderNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(string))
        .Select(f => (string)f.GetValue(null)!)
        .Where(n => !n.StartsWith(':'))
        .Concat(HopByHop)
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .ToFrozenDictionary(n => n, n => new KnownHeader(n, HopByHop.Contains(n)), StringComparer.OrdinalIgnoreCase)
        .GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Where the head ends: after "\r\n\r\n" (a bare "\n\n" is tolerated, as HttpClient does).</summary>
    public static bool TryFindEnd(in ReadOnlySequence<byte> buffer, out SequencePosition end)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            if (reader.IsNext((byte)'\n', advancePast: true) || reader.IsNext("\r\n"u8, advancePast: true))
            {
                end = reader.Position;
                return true;
            }
        }
        end = default;
        return false;
    }

    /// <summary>The status of a head's status line ("HTTP/1.1 200 OK"); an invalid one fails the exchange before any answer.</summary>
    public static int Status(in ReadOnlySequence<byte> head)
    {
        Span<byte> line = stackalloc byte[13];
        var length = (int)Math.Min(head.Length, line.Length);
        head.Slice(0, length).CopyTo(line);
        if (length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' '
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var consumed) || consumed != 3 || status < 100
            || (line[12] is not ((byte)' ' or (byte)'\r' or (byte)'\n')))
        {
            throw Invalid("its status line is not HTTP/1.x");
        }
        return status;
    }

    /// <summary>Sets the head on Kestrel's response and says how the body that follows is framed.</summary>
    public static (BodyFraming Framing, long Length, bool KeepAlive) Apply(in ReadOnlySequence<byte> head, int status, HttpContext http) =>
        Contiguous.Parse(head, (status, http), static (bytes, state) => Apply(bytes, state.status, state.http));

    private static (BodyFraming, long, bool) Apply(ReadOnlySpan<byte> bytes, int status, HttpContext http)
    {
        var response = http.Response;
        var lineEnd = bytes.IndexOf((byte)'\n');
        var statusLine = TrimCr(bytes[..lineEnd]);
        var close = statusLine[7] == (byte)'0';
        var isHttp10 = close;
        response.StatusCode = status;
        var reason = statusLine.Length > 13 ? statusLine[13..] : [];
        if (!reason.IsEmpty && !Ascii.Equals(reason, ReasonPhrases.GetReasonPhrase(status)))
        {
            http.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }

        var headers = response.Headers;
        var chunked = false;
        long? contentLength = null;
        var namesOptions = false;
        var rest = bytes[(lineEnd + 1)..];
        while (true)
        {
            lineEnd = rest.IndexOf((byte)'\n');
            var line = TrimCr(rest[..lineEnd]);
            rest = rest[(lineEnd + 1)..];
            if (line.IsEmpty)
            {
                break;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[colon - 1] is (byte)' ' or (byte)'\t')
            {
                throw Invalid("a header line is malformed");
            }
            var valueBytes = line[(colon + 1)..].Trim(" \t"u8);
            var known = Lookup(line[..colon]);
            var name = known?.Name ?? Encoding.Latin1.GetString(line[..colon]);
            if (ReferenceEquals(name, HeaderNames.TransferEncoding))
            {
                chunked = valueBytes.Length >= 7 && Ascii.EqualsIgnoreCase(valueBytes[^7..], "chunked"u8);
            }
            else if (ReferenceEquals(name, HeaderNames.ContentLength))
            {
                if (!Utf8Parser.TryParse(valueBytes, out long parsed, out var used) || used != valueBytes.Length || parsed < 0
                    || (contentLength is { } earlier && earlier != parsed))
                {
                    throw Invalid("its Content-Length is not a length");
                }
                contentLength = parsed;
            }
            else if (ReferenceEquals(name, HeaderNames.Connection))
            {
                foreach (var range in valueBytes.Split((byte)','))
                {
                    var option = valueBytes[range].Trim(" \t"u8);
                    if (Ascii.EqualsIgnoreCase(option, "close"u8))
                    {
                        close = true;
                    }
                    else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
                    {
                        close &= !isHttp10;
                    }
                    else if (!option.IsEmpty)
                    {
                        namesOptions = true;
                    }
                }
            }
            if (known is { HopByHop: true } || (known is null && colon > 6 && Ascii.EqualsIgnoreCase(line[..6], "Proxy-"u8)))
            {
                continue;
            }
            var value = Value(known, valueBytes);
            headers[name] = headers.TryGetValue(name, out var earlierValues) ? StringValues.Concat(earlierValues, value) : (StringValues)value;
        }
        if (namesOptions)
        {
            RemoveConnectionOptions(bytes, headers);
        }
        if (chunked && contentLength is not null)
        {
            // RFC 9112 §6.3: chunked framing overrides a Content-Length, which must not be passed on.
            headers.ContentLength = null;
        }

        var noBody = status is < 200 or 204 or 304 || HttpMethods.IsHead(http.Request.Method);
        var framing = noBody ? BodyFraming.None
            : chunked ? BodyFraming.Chunked
            : contentLength is not null ? BodyFraming.ContentLength
            : BodyFraming.UntilClose;
        return (framing, contentLength ?? 0, !close && framing != BodyFraming.UntilClose && status != 101);
    }

    /// <summary>The headers the upstream named in <c>Connection</c> were for the gateway alone (rare: read again only then).</summary>
    private static void RemoveConnectionOptions(ReadOnlySpan<byte> head, IHeaderDictionary headers)
    {
        var text = Encoding.Latin1.GetString(head);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var option in line[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!option.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
                    {
                        headers.Remove(option);
                    }
                }
            }
        }
    }

    /// <summary>The known header of that name, found without a string; null for others.</summary>
    private static KnownHeader? Lookup(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
        {
            return null;
        }
        Span<char> chars = stackalloc char[name.Length];
        var count = Encoding.Latin1.GetChars(name, chars);
        return Known.TryGetValue(chars[..count], out var known) ? known : null;
    }

    /// <summary>The value as a string: for a known header, the last one seen when the bytes are equal.</summary>
    private static string Value(KnownHeader? known, ReadOnlySpan<byte> bytes)
    {
        if (known is null)
        {
            return Encoding.Latin1.GetString(bytes);
        }
        var cached = known.LastValue;
        if (cached is not null && Ascii.Equals(bytes, cached))
        {
            return cached;
        }
        var value = Encoding.Latin1.GetString(bytes);
        known.LastValue = value;
        return value;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    public static ForwardingException Invalid(string why) => new(ForwardingFailure.BeforeAnswer, $"the upstream sent an invalid response: {why}");
}
