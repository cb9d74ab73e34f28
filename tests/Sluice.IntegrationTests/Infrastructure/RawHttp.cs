using System.Text;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>One HTTP/1.1 message as it was on the wire: start line, headers in order, the body unframed, trailers.</summary>
internal sealed record RawHttpMessage(string StartLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body, IReadOnlyList<(string Name, string Value)> Trailers, string Framing)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public string BodyText => Encoding.Latin1.GetString(Body);
}

/// <summary>
/// Reads HTTP/1.1 messages off a raw stream, for tests that must see the wire itself (framing,
/// header order, trailers) rather than what a client library makes of it.
/// </summary>
internal sealed class RawHttpReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Bytes of a body read before the stream ended early (an upstream reset mid-body).</summary>
    public int PartialBodyBytes { get; private set; }

    /// <summary>The next message, or null when the stream ends cleanly before one starts.</summary>
    public async Task<RawHttpMessage?> ReadAsync(bool isResponse, bool noBody = false) =>
        await ReadHeadAsync() is { } head ? await ReadBodyAsync(head, isResponse, noBody) : null;

    /// <summary>A start line and its header fields, the body left on the stream.</summary>
    public async Task<RawHttpMessage?> ReadHeadAsync()
    {
        var startLine = await ReadLineAsync();
        return startLine is null ? null : new(startLine, await ReadFieldsAsync(), [], [], "none");
    }

    /// <summary>The body <paramref name="head"/> announces, unframed, with its trailers.</summary>
    public async Task<RawHttpMessage> ReadBodyAsync(RawHttpMessage head, bool isResponse, bool noBody = false)
    {
        var status = isResponse ? int.Parse(head.StartLine.Split(' ')[1]) : 0;
        if (noBody || status is >= 100 and < 200 or 204 or 304)
        {
            return head;
        }
        if ((head.Header("Transfer-Encoding") ?? "").EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync() ?? throw new EndOfStreamException("chunk size");
                var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    break;
                }
                body.Write(await ReadExactAsync(size, body));
                if (await ReadLineAsync() != "")
                {
                    throw new InvalidDataException("chunk not followed by CRLF");
                }
            }
            return head with { Body = body.ToArray(), Trailers = await ReadFieldsAsync(), Framing = "chunked" };
        }
        if (head.Header("Content-Length") is { Length: > 0 } length)
        {
            return head with { Body = await ReadExactAsync(int.Parse(length), null), Framing = "length" };
        }
        if (!isResponse)
        {
            return head;
        }
        var rest = new MemoryStream();
        while (await FillAsync())
        {
            rest.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
        return head with { Body = rest.ToArray(), Framing = "close" };
    }

    /// <summary>The interim or final head alone (for <c>100 Continue</c>).</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync())
            {
                return line.Count == 0 ? null : throw new EndOfStreamException("in the middle of a line");
            }
            var b = _buffer[_start++];
            if (b == '\n')
            {
                return Encoding.Latin1.GetString([.. line]).TrimEnd('\r');
            }
            line.Add(b);
        }
    }

    public async Task<List<(string Name, string Value)>> ReadFieldsAsync()
    {
        var fields = new List<(string, string)>();
        while (await ReadLineAsync() is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            fields.Add((line[..colon], line[(colon + 1)..].Trim()));
        }
        return fields;
    }

    private async Task<byte[]> ReadExactAsync(int count, MemoryStream? soFar)
    {
        var result = new byte[count];
        var read = 0;
        while (read < count)
        {
            if (_start == _end && !await FillAsync())
            {
                PartialBodyBytes = (int)(soFar?.Length ?? 0) + read;
                throw new EndOfStreamException($"body ended after {PartialBodyBytes} bytes");
            }
            var n = Math.Min(count - read, _end - _start);
            Array.Copy(_buffer, _start, result, read, n);
            _start += n;
            read += n;
        }
        return result;
    }

    private async Task<bool> FillAsync()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        int n;
        try
        {
            n = await stream.ReadAsync(_buffer.AsMemory(_end));
        }
        catch (IOException)
        {
            return false;
        }
        _end += n;
        return n > 0;
    }
}
