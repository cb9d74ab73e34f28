using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Sluice.Telemetry;

namespace Sluice.Gateway.Forwarding;

/// <summary>
/// Writes the upstream request's head as bytes straight into the connection's pipe: the request
/// line with the route's path rewrite, Host by the route's rules, the client's headers less the
/// hop-by-hop ones (and those it named in <c>Connection</c>), forwarding headers by
/// <see cref="RouteTransformer"/>'s rules, and the trace context. No strings are built but the
/// rewritten path (and, when the client sent several, a joined header value's separators are written, not concatenated).
/// </summary>
internal static class RequestHead
{
    /// <summary>What the writer does with a client header, by name.</summary>
    private enum Rule : byte
    {
        Copy,
        /// <summary>Hop-by-hop (RFC 9110 §7.6.1), Host (written by the route's rules), and the framing the forwarder sets itself.</summary>
        Drop,
        /// <summary>Passed on only from a trusted proxy.</summary>
        Untrusted,
        ForwardedFor,
        ForwardedProto,
    }

    private static readonly FrozenDictionary<string, Rule> Rules = new Dictionary<string, Rule>(StringComparer.OrdinalIgnoreCase)
    {
        [HeaderNames.Host] = Rule.Drop,
        [HeaderNames.Connection] = Rule.Drop,
        [HeaderNames.KeepAlive] = Rule.Drop,
        [HeaderNames.TransferEncoding] = Rule.Drop,
        [HeaderNames.Upgrade] = Rule.Drop,
        [HeaderNames.Trailer] = Rule.Drop,
        ["Proxy-Connection"] = Rule.Drop,
        [HeaderNames.ProxyAuthenticate] = Rule.Drop,
        [HeaderNames.ProxyAuthorization] = Rule.Drop,
        ["Proxy-Authentication-Info"] = Rule.Drop,
        ["Proxy-Features"] = Rule.Drop,
        ["Proxy-Instruction"] = Rule.Drop,
        ["Close"] = Rule.Drop,
        ["HTTP2-Settings"] = Rule.Drop,
        ["ALPN"] = Rule.Drop,
        ["Security-Scheme"] = Rule.Drop,
        // YARP passes TE: trailers on to HTTP/2 upstreams only (gRPC); never to HTTP/1.1 ones.
        [HeaderNames.TE] = Rule.Drop,
        ["x-forwarded-host"] = Rule.Untrusted,
        ["forwarded"] = Rule.Untrusted,
        ["x-real-ip"] = Rule.Untrusted,
        ["x-forwarded-for"] = Rule.ForwardedFor,
        ["x-forwarded-proto"] = Rule.ForwardedProto,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static ReadOnlySpan<byte> Version => " HTTP/1.1\r\nHost: "u8;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private static ReadOnlySpan<byte> Separator => ": "u8;

    private static ReadOnlySpan<byte> ForwardedProtoHttp => "x-forwarded-proto: http\r\n"u8;

    private static ReadOnlySpan<byte> ForwardedProtoHttps => "x-forwarded-proto: https\r\n"u8;

    private static ReadOnlySpan<byte> ForwardedForName => "x-forwarded-for: "u8;

    private static ReadOnlySpan<byte> Chunked => "Transfer-Encoding: chunked\r\n"u8;

    /// <summary>Writes the whole head, up to and including the blank line; <paramref name="chunked"/> adds the framing of a body of unknown length.</summary>
    public static void Write(PipeWriter writer, RouteRequest request, string host, bool chunked)
    {
        var http = request.HttpContext;
        var incoming = http.Request;
        WriteLatin1(writer, incoming.Method);
        writer.Write(" "u8);
        WritePath(writer, request);
        if (incoming.QueryString.Value is { Length: > 0 } query)
        {
            WriteLatin1(writer, query);
        }
        writer.Write(Version);
        WriteLatin1(writer, host);
        writer.Write(Crlf);

        var trusted = request.FromTrustedProxy;
        var span = GatewayTracing.UpstreamSpan;
        var connection = incoming.Headers.Connection;
        var keptProto = false;
        var wroteFor = false;
        foreach (var (name, values) in incoming.Headers)
        {
            var rule = Rules.GetValueOrDefault(name);
            switch (rule)
            {
                case Rule.Drop:
                case Rule.Untrusted when !trusted:
                case Rule.ForwardedProto when !trusted:
                    continue;
                case Rule.ForwardedFor:
                    if (trusted)
                    {
                        // Appended to a trusted proxy's chain; from anyone else the chain could be forged.
                        WriteHeader(writer, name, values, ", ");
                        WriteClientAddress(writer, request, http, appended: true);
                        wroteFor = true;
                    }
                    continue;
                case Rule.ForwardedProto:
                    keptProto = true;
                    break;
            }
            if ((connection.Count > 0 && NamedIn(connection, name)) || (span is not null && GatewayTracing.IsTraceHeader(name)))
            {
                continue;
            }
            WriteHeader(writer, name, values, name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase) ? "; " : ", ");
            writer.Write(Crlf);
        }
        if (!keptProto)
        {
            // The gateway's own listener's scheme, unless a trusted proxy in front of it knew the client's.
            writer.Write(incoming.IsHttps ? ForwardedProtoHttps : ForwardedProtoHttp);
        }
        if (!wroteFor && http.Connection.RemoteIpAddress is not null)
        {
            writer.Write(ForwardedForName);
            WriteClientAddress(writer, request, http, appended: false);
        }
        if (chunked)
        {
            writer.Write(Chunked);
        }
        if (span is not null)
        {
            GatewayTracing.Inject(span, writer, static (w, name, value) =>
            {
                WriteLatin1(w, name);
                w.Write(Separator);
                WriteLatin1(w, value);
                w.Write(Crlf);
            });
        }
        writer.Write(Crlf);
    }

    /// <summary>The path as sent: the route's rewrite of it, escaped as a URI path (unchanged when nothing needs escaping, so no string), "/" when empty.</summary>
    private static void WritePath(PipeWriter writer, RouteRequest request)
    {
        var path = request.HttpContext.Request.Path;
        if (request.State.Transformer.RewritesPath)
        {
            path = new PathString(request.State.Transformer.RewritePath(path.Value ?? "/"));
        }
        var escaped = path.ToUriComponent();
        WriteLatin1(writer, escaped.Length == 0 ? "/" : escaped);
    }

    private static void WriteClientAddress(PipeWriter writer, RouteRequest request, HttpContext http, bool appended)
    {
        if (http.Connection.RemoteIpAddress is { } peer)
        {
            if (appended)
            {
                writer.Write(", "u8);
            }
            WriteLatin1(writer, request.ClientAddressText(peer));
        }
        writer.Write(Crlf);
    }

    /// <summary>"name: value[, value…]" without the line end. Several values of one header are joined on one line, as HttpClient sends them.</summary>
    private static void WriteHeader(PipeWriter writer, string name, StringValues values, string separator)
    {
        WriteLatin1(writer, name);
        writer.Write(Separator);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                WriteLatin1(writer, separator);
            }
            WriteLatin1(writer, values[i]);
        }
    }

    /// <summary>
    /// RFC 9110 §7.6.1: headers the client named in <c>Connection</c> were meant for the gateway
    /// alone. Content headers frame the body the gateway sends: not the client's to drop.
    /// </summary>
    private static bool NamedIn(StringValues connection, string name)
    {
        if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Latin-1 (what HTTP/1.1 header bytes are) straight into the pipe's memory.</summary>
    public static void WriteLatin1(PipeWriter writer, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        var span = writer.GetSpan(text.Length);
        writer.Advance(Encoding.Latin1.GetBytes(text, span));
    }

    /// <summary>A chunk's size line; fixed width, so the forwarder can reserve it before reading the chunk's bytes into place.</summary>
    public const int ChunkHeaderLength = 10;

    /// <summary>Writes "XXXXXXXX\r\n" (leading zeros are allowed in a chunk size, RFC 9112 §7.1).</summary>
    public static void WriteChunkHeader(Span<byte> destination, int length)
    {
        Utf8Formatter.TryFormat(length, destination, out _, new StandardFormat('X', 8));
        destination[8] = (byte)'\r';
        destination[9] = (byte)'\n';
    }
}
