using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sluice.Telemetry;

/// <summary>
/// Sends the request and reload counters and timers to a StatsD collector over UDP, with
/// DogStatsD tags (<c>|#route:default/0,…</c>), as Datadog, Telegraf and prom/statsd-exporter read
/// them. Requests only queue a sample; a background task formats and packs lines into datagrams
/// of at most <see cref="MaxDatagram"/> bytes. A full queue drops samples (and counts them).
/// </summary>
internal sealed partial class StatsdExporter : IAsyncDisposable
{
    /// <summary>Fits an Ethernet MTU with IP and UDP headers: no fragmentation.</summary>
    public const int MaxDatagram = 1432;

    private readonly Channel<StatsdSample> _queue;
    private readonly Socket _socket;
    private readonly string _prefix;
    private readonly Prometheus.Counter _dropped;
    private readonly ILogger _logger;
    private readonly byte[] _datagram = new byte[MaxDatagram];
    private readonly StringBuilder _line = new();
    private readonly Task _pump;
    private int _length;

    public StatsdExporter(StatsdOptions options, Prometheus.Counter dropped, ILogger logger)
    {
        _prefix = options.Prefix.Length == 0 ? "" : options.Prefix + ".";
        _dropped = dropped;
        _logger = logger;
        var address = IPAddress.TryParse(options.Host, out var ip) ? ip : Dns.GetHostAddresses(options.Host!)[0];
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Connect(new IPEndPoint(address, options.Port));
        _queue = Channel.CreateBounded<StatsdSample>(new BoundedChannelOptions(options.BufferSamples)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = Task.Run(PumpAsync);
    }

    public void Record(in StatsdSample sample)
    {
        if (!_queue.Writer.TryWrite(sample))
        {
            _dropped.Inc();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump;
        _socket.Dispose();
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var sample))
            {
                Format(sample);
            }
            // The queue is empty: send what is packed rather than wait for more.
            Send();
        }
    }

    private void Format(in StatsdSample sample)
    {
        if (sample.Labels is not { } labels)
        {
            Line("config.reloads", "1", "c", sample.Success ? "result:success" : "result:failure");
            Line("config.reload.duration", Number(sample.DurationMs), "ms", null);
            return;
        }
        var tags = labels.StatsdTags ??= TagsOf(labels);
        var status = "status_class:" + GatewayMetrics.StatusClasses[sample.StatusClass];
        Line("requests", "1", "c", tags.Length == 0 ? status : $"{tags},{status}");
        Line("request.duration", Number(sample.DurationMs), "ms", tags);
        if (!double.IsNaN(sample.UpstreamMs))
        {
            Line("upstream.duration", Number(sample.UpstreamMs), "ms", tags);
        }
        if (sample.Retries > 0)
        {
            Line("upstream.retries", sample.Retries.ToString(CultureInfo.InvariantCulture), "c", tags);
        }
    }

    /// <summary>Appends <c>prefix.name:value|type|#tags</c>, sending the datagram first if the line would not fit.</summary>
    private void Line(string name, string value, string type, string? tags)
    {
        var line = _line.Clear().Append(_prefix).Append(name).Append(':').Append(value).Append('|').Append(type);
        if (!string.IsNullOrEmpty(tags))
        {
            line.Append("|#").Append(tags);
        }
        var text = line.ToString();
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (_length > 0 && _length + 1 + bytes > MaxDatagram)
        {
            Send();
        }
        if (bytes > MaxDatagram)
        {
            return; // absurdly long names; nothing sensible to send
        }
        if (_length > 0)
        {
            _datagram[_length++] = (byte)'\n';
        }
        _length += Encoding.UTF8.GetBytes(text, _datagram.AsSpan(_length));
    }

    private void Send()
    {
        if (_length == 0)
        {
            return;
        }
        try
        {
            _socket.Send(_datagram.AsSpan(0, _length));
        }
        catch (SocketException e)
        {
            // Nobody listening yet (ICMP port unreachable) is normal for UDP; the next datagram tries again.
            Log.SendFailed(_logger, e.SocketErrorCode.ToString());
        }
        _length = 0;
    }

    private static string Number(double value) => Math.Round(value, 3).ToString(CultureInfo.InvariantCulture);

    private static string TagsOf(RequestLabels labels)
    {
        var tags = new List<string>(4);
        Add("virtual_service", labels.VirtualService);
        Add("route", labels.Route);
        Add("upstream", labels.Upstream);
        Add("function", labels.Function);
        return string.Join(',', tags);

        void Add(string key, string value)
        {
            if (value.Length > 0)
            {
                tags.Add($"{key}:{Sanitize(value)}");
            }
        }
    }

    /// <summary>DogStatsD separators cannot appear in a tag value.</summary>
    private static string Sanitize(string value) =>
        value.AsSpan().IndexOfAny("|,#\n") < 0 ? value : string.Create(value.Length, value, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is '|' or ',' or '#' or '\n' ? '_' : source[i];
            }
        });

    private static partial class Log
    {
        [LoggerMessage(EventId = 1302, Level = LogLevel.Debug, Message = "StatsD datagram not sent: {Error}")]
        public static partial void SendFailed(ILogger logger, string error);
    }
}
