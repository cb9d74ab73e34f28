using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sluice.Telemetry;

/// <summary>
/// Writes access log lines, one JSON object each, on a background task: requests only hand their
/// entry to a bounded queue, and when the writer falls behind, entries are dropped and counted
/// (<c>sluice_access_log_dropped_total</c>) rather than slowing traffic down.
/// </summary>
internal sealed partial class AccessLogWriter : IAsyncDisposable
{
    /// <summary>Lines are written in chunks of whole lines, so a shared stdout never splits one.</summary>
    private const int ChunkBytes = 64 * 1024;

    private readonly Channel<AccessLogEntry> _queue;
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly AccessLogField[] _fields;
    private readonly Prometheus.Counter _dropped;
    private readonly ILogger _logger;
    private readonly Task _pump;

    public AccessLogWriter(AccessLogOptions options, Prometheus.Counter dropped, ILogger logger)
    {
        _fields = AccessLogFields.Select(options.Fields);
        _dropped = dropped;
        _logger = logger;
        if (options.Path is "-")
        {
            _output = Console.OpenStandardOutput();
        }
        else
        {
            _output = new FileStream(options.Path!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _ownsOutput = true;
        }
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(options.BufferLines)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Whether lines carry <c>bytes_sent</c>, which needs the response body counted.</summary>
    public bool WantsBytesSent => _fields.Contains(AccessLogField.BytesSent);

    /// <summary>Whether lines carry a trace id.</summary>
    public bool WantsTraceId => _fields.Contains(AccessLogField.TraceId);

    public void Write(AccessLogEntry entry)
    {
        // With FullMode.Wait, TryWrite refuses when full instead of blocking: the line is dropped.
        if (!_queue.Writer.TryWrite(entry))
        {
            _dropped.Inc();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump;
        if (_ownsOutput)
        {
            await _output.DisposeAsync();
        }
    }

    private async Task PumpAsync()
    {
        var chunk = new ArrayBufferWriter<byte>(ChunkBytes);
        var json = new Utf8JsonWriter(chunk, new JsonWriterOptions { SkipValidation = true });
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            try
            {
                while (reader.TryRead(out var entry))
                {
                    WriteLine(json, entry);
                    json.Flush();
                    json.Reset();
                    chunk.Write("\n"u8);
                    if (chunk.WrittenCount >= ChunkBytes)
                    {
                        await WriteChunkAsync(chunk);
                    }
                }
                // Only once the queue is empty: a busy gateway writes in large chunks.
                await WriteChunkAsync(chunk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.WriteFailed(_logger, e);
                chunk.Clear();
                json.Reset();
            }
        }
        await json.DisposeAsync();
    }

    private async Task WriteChunkAsync(ArrayBufferWriter<byte> chunk)
    {
        if (chunk.WrittenCount > 0)
        {
            await _output.WriteAsync(chunk.WrittenMemory);
            await _output.FlushAsync();
            chunk.Clear();
        }
    }

    private void WriteLine(Utf8JsonWriter json, AccessLogEntry entry)
    {
        json.WriteStartObject();
        foreach (var field in _fields)
        {
            var name = AccessLogFields.EncodedName(field);
            switch (field)
            {
                case AccessLogField.Time: json.WriteString(name, entry.Time); break;
                case AccessLogField.Method: json.WriteString(name, entry.Method); break;
                case AccessLogField.Path: json.WriteString(name, entry.Path); break;
                case AccessLogField.Query: WriteOptional(json, name, entry.Query); break;
                case AccessLogField.Protocol: json.WriteString(name, entry.Protocol); break;
                case AccessLogField.Status: json.WriteNumber(name, entry.Status); break;
                case AccessLogField.BytesReceived: WriteOptional(json, name, entry.BytesReceived); break;
                case AccessLogField.BytesSent: WriteOptional(json, name, entry.BytesSent); break;
                case AccessLogField.DurationMs: json.WriteNumber(name, Math.Round(entry.DurationMs, 3)); break;
                case AccessLogField.UpstreamMs:
                    if (entry.UpstreamMs is { } upstream)
                    {
                        json.WriteNumber(name, Math.Round(upstream, 3));
                    }
                    else
                    {
                        json.WriteNull(name);
                    }
                    break;
                case AccessLogField.VirtualService: WriteOptional(json, name, entry.Labels.VirtualService); break;
                case AccessLogField.Route: WriteOptional(json, name, entry.Labels.Route); break;
                case AccessLogField.Upstream: WriteOptional(json, name, entry.Labels.Upstream); break;
                case AccessLogField.Function: WriteOptional(json, name, entry.Labels.Function); break;
                case AccessLogField.Endpoint: WriteOptional(json, name, entry.Endpoint); break;
                case AccessLogField.Retries: json.WriteNumber(name, entry.Retries); break;
                case AccessLogField.TraceId: WriteOptional(json, name, entry.TraceId); break;
                case AccessLogField.Client: WriteOptional(json, name, entry.Client); break;
                case AccessLogField.UserAgent: WriteOptional(json, name, entry.UserAgent); break;
                case AccessLogField.Error: WriteOptional(json, name, entry.Error); break;
            }
        }
        json.WriteEndObject();
    }

    /// <summary>Absent values are written as null, so every line has the same keys.</summary>
    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Writing the access log failed; lines are being lost")]
        public static partial void WriteFailed(ILogger logger, Exception exception);
    }
}
