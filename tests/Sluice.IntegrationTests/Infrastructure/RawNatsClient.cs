using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A deliberately naive NATS client for checking what the gateway published, independent of
/// Sluice's own client: raw socket, one line or payload at a time. Subscribes, and calls the
/// JetStream API (stream create/info, message get) by request-reply.
/// </summary>
internal sealed class RawNatsClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly Task _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _nextSid = 100;
    private int _nextRequest;

    private RawNatsClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<RawNatsClient> ConnectAsync(int port, string connectOptions = "")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RawNatsClient(tcp);
        await client.WriteAsync($"CONNECT {{\"verbose\":false,\"headers\":true,\"no_responders\":true{connectOptions}}}\r\nSUB _INBOX.raw.* 1\r\n");
        return client;
    }

    /// <summary>Subscribes; returns once the server has processed the SUB (PING/PONG).</summary>
    public async Task SubscribeAsync(string subject)
    {
        await WriteAsync($"SUB {subject} {Interlocked.Increment(ref _nextSid)}\r\n");
        await FlushRoundTripAsync();
    }

    private TaskCompletionSource? _pong;

    private async Task FlushRoundTripAsync()
    {
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pong = pong;
        await WriteAsync("PING\r\n");
        await pong.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>The next message not sent to the request inbox.</summary>
    public async Task<ReceivedMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        return await _messages.Reader.ReadAsync(cts.Token);
    }

    public bool TryNext(out ReceivedMessage message) => _messages.Reader.TryRead(out message!);

    private readonly Dictionary<string, TaskCompletionSource<ReceivedMessage>> _requests = [];

    /// <summary>A JetStream API call: JSON in, JSON out.</summary>
    public async Task<JsonElement> ApiAsync(string subject, string json = "")
    {
        var inbox = $"_INBOX.raw.{Interlocked.Increment(ref _nextRequest)}";
        var reply = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_requests)
        {
            _requests[inbox] = reply;
        }
        var payload = Encoding.UTF8.GetBytes(json);
        await WriteAsync($"PUB {subject} {inbox} {payload.Length}\r\n{json}\r\n");
        var message = await reply.Task.WaitAsync(TimeSpan.FromSeconds(5));
        return JsonDocument.Parse(message.Payload).RootElement.Clone();
    }

    public Task CreateStreamAsync(string name, string subjects, string extra = "") =>
        ApiAsync($"$JS.API.STREAM.CREATE.{name}", $"{{\"name\":\"{name}\",\"subjects\":[{subjects}],\"storage\":\"file\"{extra}}}");

    public async Task<long> StreamMessageCountAsync(string name)
    {
        var info = await ApiAsync($"$JS.API.STREAM.INFO.{name}");
        return info.GetProperty("state").GetProperty("messages").GetInt64();
    }

    /// <summary>A stored message: its payload and its header block as text.</summary>
    public async Task<(byte[] Payload, string Headers)> GetStoredAsync(string stream, long seq)
    {
        var answer = await ApiAsync($"$JS.API.STREAM.MSG.GET.{stream}", $"{{\"seq\":{seq}}}");
        var message = answer.GetProperty("message");
        var data = message.TryGetProperty("data", out var d) ? Convert.FromBase64String(d.GetString()!) : [];
        var headers = message.TryGetProperty("hdrs", out var h) ? Encoding.UTF8.GetString(Convert.FromBase64String(h.GetString()!)) : "";
        return (data, headers);
    }

    private async Task WriteAsync(string text)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = new BufferedReader(_stream);
        try
        {
            while (true)
            {
                var line = await reader.ReadLineAsync();
                if (line is null)
                {
                    return;
                }
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (parts[0])
                {
                    case "PING":
                        await WriteAsync("PONG\r\n");
                        break;
                    case "PONG":
                        _pong?.TrySetResult();
                        break;
                    case "MSG":
                    case "HMSG":
                    {
                        var hasHeaders = parts[0] == "HMSG";
                        var total = int.Parse(parts[^1]);
                        var headerLength = hasHeaders ? int.Parse(parts[^2]) : 0;
                        var body = await reader.ReadExactlyAsync(total + 2);
                        var message = new ReceivedMessage(
                            parts[1],
                            Encoding.UTF8.GetString(body, 0, headerLength),
                            body.AsSpan(headerLength, total - headerLength).ToArray(),
                            hasHeaders ? (parts.Length == 6 ? parts[3] : null) : (parts.Length == 5 ? parts[3] : null));
                        TaskCompletionSource<ReceivedMessage>? waiter;
                        lock (_requests)
                        {
                            _requests.Remove(message.Subject, out waiter);
                        }
                        if (waiter is not null)
                        {
                            waiter.TrySetResult(message);
                        }
                        else
                        {
                            await _messages.Writer.WriteAsync(message);
                        }
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // Closed under the reader.
        }
    }

    /// <summary>Lines and exact byte counts from a stream.</summary>
    private sealed class BufferedReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync()
        {
            while (true)
            {
                var index = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (index >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, index - _start).TrimEnd('\r');
                    _start = index + 1;
                    return line;
                }
                if (!await FillAsync())
                {
                    return null;
                }
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count)
        {
            var result = new byte[count];
            var at = 0;
            while (at < count)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new IOException("closed");
                }
                var n = Math.Min(count - at, _end - _start);
                Array.Copy(_buffer, _start, result, at, n);
                _start += n;
                at += n;
            }
            return result;
        }

        private async Task<bool> FillAsync()
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(_end));
            _end += read;
            return read > 0;
        }
    }
}
